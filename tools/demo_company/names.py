"""Realistic Chinese names, and WeCom userids derived from their pinyin.

The lists are weighted roughly like China's surname frequencies, so a company of 200 has
a few 王, 李 and 张 colleagues sharing a name — which is exactly what makes userids like
`zhangwei01` and `zhangwei02` necessary.
"""

from __future__ import annotations

import random
import re

# (surname, pinyin, relative weight)
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("王", "wang", 72), ("李", "li", 71), ("张", "zhang", 68), ("刘", "liu", 54), ("陈", "chen", 45),
    ("杨", "yang", 31), ("黄", "huang", 24), ("赵", "zhao", 20), ("吴", "wu", 20), ("周", "zhou", 19),
    ("徐", "xu", 15), ("孙", "sun", 14), ("马", "ma", 12), ("朱", "zhu", 12), ("胡", "hu", 11),
    ("郭", "guo", 11), ("何", "he", 10), ("高", "gao", 10), ("林", "lin", 10), ("罗", "luo", 9),
    ("郑", "zheng", 9), ("梁", "liang", 8), ("谢", "xie", 7), ("宋", "song", 7), ("唐", "tang", 7),
    ("许", "xu", 6), ("韩", "han", 6), ("冯", "feng", 6), ("邓", "deng", 6), ("曹", "cao", 6),
    ("彭", "peng", 5), ("曾", "zeng", 5), ("肖", "xiao", 5), ("田", "tian", 5), ("董", "dong", 5),
    ("袁", "yuan", 4), ("潘", "pan", 4), ("于", "yu", 4), ("蒋", "jiang", 4), ("蔡", "cai", 4),
    ("余", "yu", 4), ("杜", "du", 4), ("叶", "ye", 4), ("程", "cheng", 4), ("苏", "su", 3),
    ("魏", "wei", 3), ("吕", "lv", 3), ("丁", "ding", 3), ("任", "ren", 3), ("沈", "shen", 3),
    ("姚", "yao", 3), ("卢", "lu", 3), ("姜", "jiang", 3), ("崔", "cui", 3), ("钟", "zhong", 3),
    ("谭", "tan", 2), ("陆", "lu", 2), ("汪", "wang", 2), ("范", "fan", 2), ("金", "jin", 2),
    ("石", "shi", 2), ("廖", "liao", 2), ("贾", "jia", 2), ("夏", "xia", 2), ("韦", "wei", 2),
    ("欧阳", "ouyang", 1), ("司马", "sima", 1), ("上官", "shangguan", 1),
)

# Characters common in given names, with pinyin. Given names are one or two of these.
GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("华", "hua"), ("文", "wen"), ("辉", "hui"), ("玲", "ling"),
    ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("婷", "ting"), ("欣", "xin"), ("晨", "chen"),
    ("雪", "xue"), ("琳", "lin"), ("佳", "jia"), ("思", "si"), ("涵", "han"), ("轩", "xuan"),
    ("雨", "yu"), ("博", "bo"), ("航", "hang"), ("凯", "kai"), ("晓", "xiao"), ("慧", "hui"),
    ("颖", "ying"), ("倩", "qian"), ("嘉", "jia"), ("俊", "jun"), ("斌", "bin"), ("宁", "ning"),
    ("红", "hong"), ("海", "hai"), ("春", "chun"), ("波", "bo"), ("建", "jian"), ("国", "guo"),
    ("志", "zhi"), ("秀", "xiu"), ("英", "ying"), ("梅", "mei"), ("兰", "lan"), ("瑶", "yao"),
    ("怡", "yi"), ("子", "zi"), ("梓", "zi"), ("一", "yi"), ("诗", "shi"), ("若", "ruo"),
    ("天", "tian"), ("泽", "ze"), ("睿", "rui"), ("昊", "hao"), ("然", "ran"), ("欢", "huan"),
)

_SURNAME_WEIGHTS = tuple(w for _, _, w in SURNAMES)
USERID_RE = re.compile(r"[A-Za-z0-9_@.\-]{1,64}")


def random_name(rng: random.Random) -> tuple[str, str]:
    """A (Chinese name, pinyin without spaces) pair such as ("张伟", "zhangwei")."""
    surname, surname_py, _ = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    # Two-character given names are the more common; single ones give the famous 张伟s.
    parts = [rng.choice(GIVEN)] if rng.random() < 0.35 else [rng.choice(GIVEN), rng.choice(GIVEN)]
    return surname + "".join(c for c, _ in parts), surname_py + "".join(p for _, p in parts)


class UseridAllocator:
    """Hands out unique userids: `zhangwei01`, `zhangwei02`, … or `u000123`.

    WeCom compares userids without case, so uniqueness is kept on the lower-cased form.
    """

    def __init__(self, *, numbered: bool) -> None:
        self.numbered = numbered
        self._counters: dict[str, int] = {}
        self._issued: set[str] = set()
        self._next = 1

    def allocate(self, pinyin: str) -> str:
        if self.numbered:
            userid = f"u{self._next:06d}"
            self._next += 1
        else:
            base = pinyin.lower()[:60]
            count = self._counters.get(base, 0) + 1
            self._counters[base] = count
            userid = f"{base}{count:02d}"
        if userid in self._issued:
            raise ValueError(f"userid {userid} issued twice")
        self._issued.add(userid)
        return userid
