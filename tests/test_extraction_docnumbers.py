"""Official document numbers cited in Chinese and English texts."""

from __future__ import annotations

import pytest

from crawler.extraction.docnumbers import find_doc_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("根据豫环办〔2022〕61号文件要求", ["豫环办〔2022〕61号"]),
        ("按照《关于推进实施钢铁行业超低排放的意见》（环大气〔2019〕35号）", ["环大气〔2019〕35号"]),
        (
            "国办发[2021]4号、国发（2023）24号和环办执法函【2020】12号",
            ["国办发[2021]4号", "国发（2023）24号", "环办执法函【2020】12号"],
        ),
        ("落实苏环办〔2023〕 108 号精神", ["苏环办〔2023〕108号"]),
        ("印发豫经信〔2022〕5号", ["豫经信〔2022〕5号"]),
        ("《排污许可管理办法》（生态环境部令第32号）", ["生态环境部令第32号"]),
        ("生态环境部公告2023年第18号", ["生态环境部公告2023年第18号"]),
        ("under Yuhuan Office [2022] No.61", ["Yuhuan Office [2022] No.61"]),
        ("Order No. 12 and Decree No.5", ["Order No. 12", "Decree No.5"]),
        (
            "Regulation (EU) 2023/956 amends Directive 2003/87/EC",
            ["Regulation (EU) 2023/956", "Directive 2003/87/EC"],
        ),
        ("Executive Order 14008 on tackling the climate crisis", ["Executive Order 14008"]),
    ],
)
def test_document_numbers(text: str, expected: list[str]):
    assert find_doc_numbers([text]) == expected


def test_numbers_that_are_not_document_numbers():
    assert (
        find_doc_numbers(
            ["提案第1310004号的答复", "2023年第3季度", "PM2.5浓度为32微克", "No. 10 Downing Street"]
        )
        == []
    )


def test_order_of_first_appearance_without_repeats():
    texts = ["环大气〔2019〕35号", "豫环办〔2022〕61号 与 环大气〔2019〕35号"]
    assert find_doc_numbers(texts) == ["环大气〔2019〕35号", "豫环办〔2022〕61号"]
