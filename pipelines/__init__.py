"""Item pipelines: the cleaning steps, then finalisation, validation and output."""

CLEANING_PIPELINES: dict[str, int] = {}
