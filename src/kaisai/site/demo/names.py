"""Generated people for the demo: Japanese and English names, nicknames in romaji."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (kanji, romaji) — common family names
JAPANESE_FAMILY_NAMES = [
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"),
    ("阿部", "abe"), ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"),
    ("石井", "ishii"), ("小川", "ogawa"), ("前田", "maeda"), ("岡田", "okada"),
    ("長谷川", "hasegawa"), ("藤田", "fujita"), ("後藤", "goto"), ("近藤", "kondo"),
    ("村上", "murakami"), ("遠藤", "endo"), ("青木", "aoki"), ("坂本", "sakamoto"),
    ("西村", "nishimura"), ("福田", "fukuda"), ("太田", "ota"), ("三浦", "miura"),
]  # fmt: skip

# (kanji, romaji) — given names
JAPANESE_GIVEN_NAMES = [
    ("健", "ken"), ("翔", "sho"), ("大輔", "daisuke"), ("拓也", "takuya"), ("直樹", "naoki"),
    ("陽介", "yosuke"), ("亮", "ryo"), ("悠斗", "yuto"), ("蓮", "ren"), ("大樹", "daiki"),
    ("浩", "hiroshi"), ("誠", "makoto"), ("剛", "tsuyoshi"), ("和也", "kazuya"), ("聡", "satoshi"),
    ("拓海", "takumi"), ("海斗", "kaito"), ("颯太", "sota"), ("隆", "takashi"), ("修", "osamu"),
    ("由紀", "yuki"), ("美咲", "misaki"), ("陽菜", "hina"), ("彩", "aya"), ("葵", "aoi"),
    ("結衣", "yui"), ("真央", "mao"), ("愛", "ai"), ("智子", "tomoko"), ("恵", "megumi"),
    ("麻衣", "mai"), ("沙織", "saori"), ("優花", "yuka"), ("七海", "nanami"), ("玲奈", "reina"),
    ("千尋", "chihiro"), ("杏", "anzu"), ("さくら", "sakura"), ("明日香", "asuka"), ("舞", "mai"),
]  # fmt: skip

ENGLISH_GIVEN_NAMES = [
    "Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Hannah", "David", "Grace",
    "Thomas", "Chloe", "Benjamin", "Lucy", "Samuel", "Amelia", "Jack", "Isabella", "Ryan",
    "Charlotte", "Matthew", "Zoe", "Andrew", "Laura", "Kevin", "Rachel", "Brian", "Nina",
    "Oliver", "Ella", "Lucas", "Maria", "Ethan", "Priya", "Arjun", "Wei", "Min-jun", "Ana",
    "Marco", "Julia", "Felix",
]  # fmt: skip

ENGLISH_FAMILY_NAMES = [
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Lewis", "Walker", "Hall",
    "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter",
    "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
    "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Patel", "Chen", "Kim",
    "Nguyen", "Garcia", "Rossi", "Müller", "Novak",
]  # fmt: skip

JAPANESE_BIOS = [
    "機械学習エンジニア。最近は LLM の評価と推薦システムに興味があります。",
    "データサイエンティスト。前処理が好きです。",
    "MLOps をやっています。Kubernetes と Python が好き。",
    "大学院で強化学習を研究しています。勉強会にはよく参加します。",
    "Web エンジニアから機械学習に入門中。",
    "画像認識のプロダクトを作っています。\n週末はカメラを持って散歩しています。",
    "自然言語処理エンジニア。日本語の形態素解析が好きです。",
    "データ基盤エンジニア。SQL を書く時間が一番長い。",
    "Rust と Python で推論サーバーを書いています。",
    "フリーランスのデータアナリスト。",
]

ENGLISH_BIOS = [
    "ML engineer in Tokyo. Recommender systems, evaluation, coffee.",
    "Data scientist. I like clean datasets and honest baselines.",
    "Backend engineer learning machine learning, one paper at a time.",
    "Platform engineer: Kubernetes, observability, and too many YAML files.",
    "PhD student working on speech recognition.\nHappy to chat about Japanese ASR.",
    "Rustacean. Building fast inference services.",
]

RESERVED_NICKNAMES = {"demo", "admin", "api", "settings", "me", "new", "edit", "demo-mail"}


@dataclass(frozen=True)
class Person:
    nickname: str
    display_name: str
    japanese: bool
    bio: str = ""
    x_account: str = ""
    github_account: str = ""


def _nickname_candidates(rng: random.Random, given: str, family: str) -> list[str]:
    given, family = given.lower().replace(" ", ""), family.lower().replace("ü", "ue")
    family = "".join(ch for ch in family if ch.isalnum() or ch == "-")
    given = "".join(ch for ch in given if ch.isalnum() or ch == "-")
    patterns = [
        f"{given}_{family}",
        f"{given}-{family}",
        f"{given[0]}{family}",
        f"{family}{given[0]}",
        f"{given}{family[:3]}",
        f"{family}_{given}",
    ]
    rng.shuffle(patterns)
    return [*patterns, *(f"{given}{family[0]}{n}" for n in range(2, 200))]


def generate_people(
    rng: random.Random,
    count: int,
    *,
    reserved: set[str] | frozenset[str] = frozenset(),
    japanese_share: float = 0.72,
) -> list[Person]:
    """`count` distinct people with unique nicknames (2–30 of [A-Za-z0-9_-])."""
    people: list[Person] = []
    taken = RESERVED_NICKNAMES | set(reserved)
    while len(people) < count:
        japanese = rng.random() < japanese_share
        if japanese:
            family_kanji, family = rng.choice(JAPANESE_FAMILY_NAMES)
            given_kanji, given = rng.choice(JAPANESE_GIVEN_NAMES)
            display_name = f"{family_kanji} {given_kanji}"
            bio_pool = JAPANESE_BIOS
        else:
            given, family = rng.choice(ENGLISH_GIVEN_NAMES), rng.choice(ENGLISH_FAMILY_NAMES)
            display_name = f"{given} {family}"
            bio_pool = ENGLISH_BIOS
        nickname = next(
            n for n in _nickname_candidates(rng, given, family) if n not in taken and len(n) <= 30
        )
        taken.add(nickname)
        has_bio = rng.random() < 0.35
        people.append(
            Person(
                nickname=nickname,
                display_name=display_name,
                japanese=japanese,
                bio=rng.choice(bio_pool) if has_bio else "",
                x_account=nickname.replace("-", "_")[:15] if rng.random() < 0.3 else "",
                github_account=nickname.replace("_", "-").strip("-")[:39]
                if rng.random() < 0.4
                else "",
            )
        )
    return people
