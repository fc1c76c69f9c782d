"""The demo's texts and places: group descriptions, sponsor venues, talk titles.

Companies and their URLs are made up (*.example); the buildings and their addresses are
real landmarks so that the map links land somewhere sensible.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Venue:
    company: str
    url: str
    place: str
    address: str
    prefecture: str
    latitude: Decimal
    longitude: Decimal


MLCT_TITLE = "Machine Learning Casual Talks"
MLCT_SUBTITLE = "機械学習を実サービスで運用する人たちの、ゆるくて実践的な勉強会"
MLCT_DESCRIPTION = """\
**Machine Learning Casual Talks (MLCT)** は、機械学習を実際のサービスで運用している
エンジニアやデータサイエンティストが、論文の紹介よりも「現場で本当にあった話」を
気軽に共有する勉強会です。

- 2 か月に 1 回、金曜日の夜 19:30 から東京で開催しています
- 発表 20 分 × 3 本と、ライトニングトーク (LT) 5 分 × 数本
- 会場とドリンク・懇親会はスポンサー企業のご厚意で提供いただいています
- 当日の様子は YouTube で配信し、資料はイベントページにまとめます

## こんな方に

- 機械学習モデルを本番に載せた / 載せようとしている
- 精度以外の苦労 (データ、監視、運用、組織) の話を聞きたい
- 発表してみたい (LT は初めての方も大歓迎です)

## English

MLCT is a casual meetup for people who run machine learning in production. Talks are
usually in Japanese; slides in English and talks in English are very welcome.

## 行動規範 / Code of Conduct

参加者全員が安心して参加できるよう、ハラスメントを禁止します。
困ったことがあれば運営までお声がけください。
"""

MLCT_TALKS = [
    [
        "推薦モデルを毎日再学習して 3 年: 壊れたところ全部",
        "特徴量ストアを作らなかった話",
        "LT: pandas から Polars に移行したら会議が減った",
    ],
    [
        "LLM の出力を評価する仕組みを作る",
        "需要予測モデルの精度より大事だったもの",
        "LT: GPU の予約表を Slack bot にした",
    ],
    [
        "画像検品モデルを工場に置いた 1 年間",
        "A/B テストでは見えなかった推薦の副作用",
        "LT: Jupyter Notebook をレビューする文化",
    ],
    [
        "検索ランキングを LightGBM から Transformer へ",
        "データドリフトの監視、何を見ればいいのか",
        "LT: 社内 Kaggle を 6 回開いてわかったこと",
    ],
]

MLCT_NEXT_TALKS = [
    "RAG を本番に出して半年: 評価・監視・コスト",
    "小さなチームの MLOps: やらないことを決める",
    "(LT 枠を募集中です)",
]

# Sponsor offices in Tokyo for events #1–#4, and the venue of #5.
TOKYO_VENUES = [
    Venue(
        "株式会社ホシゾラAI",
        "https://hoshizora-ai.example/",
        "ホシゾラAI 本社 21F イベントスペース",
        "東京都渋谷区渋谷2-24-12 渋谷スクランブルスクエア",
        "tokyo",
        Decimal("35.658514"),
        Decimal("139.702274"),
    ),
    Venue(
        "クモデータ株式会社",
        "https://kumo-data.example/",
        "クモデータ 六本木オフィス 38F セミナールーム",
        "東京都港区六本木6-10-1 六本木ヒルズ森タワー",
        "tokyo",
        Decimal("35.660464"),
        Decimal("139.729249"),
    ),
    Venue(
        "Tsubame Robotics 株式会社",
        "https://tsubame-robotics.example/",
        "Tsubame Robotics 丸の内オフィス 8F",
        "東京都千代田区丸の内2-4-1 丸の内ビルディング",
        "tokyo",
        Decimal("35.681236"),
        Decimal("139.764047"),
    ),
    Venue(
        "株式会社ミライ推論",
        "https://mirai-inference.example/",
        "ミライ推論 大崎オフィス 15F カフェスペース",
        "東京都品川区大崎2-1-1 ThinkPark Tower",
        "tokyo",
        Decimal("35.619720"),
        Decimal("139.728300"),
    ),
]

NEXT_VENUE = Venue(
    "株式会社カエデラボ",
    "https://kaede-labs.example/",
    "カエデラボ 日本橋オフィス 12F イベントホール",
    "東京都中央区日本橋室町2-1-1 日本橋三井タワー",
    "tokyo",
    Decimal("35.686958"),
    Decimal("139.773195"),
)

NEXT_PARTICIPANT_INFO = """\
**受付:** 日本橋三井タワー 1F のオフィスエントランスで、受付票 (QR コード) を見せてください。
12F まではエレベーターの 7 号機をお使いください。

**入館:** 19:00 開場。19:25 以降は 12F 入口のドアコード **4821#** で入室できます。

**Wi-Fi:** SSID `kaede-guest` / パスワードは会場のスクリーンに表示します。

緊急の連絡先 (当日のみ): 運営 Slack の #mlct-staff か、受付スタッフまで。
"""

OSAKA_VENUE = Venue(
    "なにわクラウド株式会社",
    "https://naniwa-cloud.example/",
    "グランフロント大阪 ナレッジキャピタル 4F カンファレンスルーム",
    "大阪府大阪市北区大深町3-1 グランフロント大阪 北館",
    "osaka",
    Decimal("34.704531"),
    Decimal("135.494661"),
)

K8S_VENUE = Venue(
    "株式会社コンテナ舎",
    "https://container-sha.example/",
    "コンテナ舎 新宿オフィス 27F",
    "東京都新宿区西新宿2-8-1",
    "tokyo",
    Decimal("35.689487"),
    Decimal("139.691706"),
)

FUKUOKA_VENUE = Venue(
    "博多データ工房",
    "https://hakata-data.example/",
    "天神コワーキング 6F",
    "福岡県福岡市中央区天神1-8-1",
    "fukuoka",
    Decimal("33.590355"),
    Decimal("130.401716"),
)

OTHER_GROUPS = {
    "osaka-python": {
        "title": "Osaka Python Meetup",
        "subtitle": "大阪で Python を書く人の集まり",
        "description": (
            "大阪・梅田で毎月開催している Python の勉強会です。初心者から業務で使っている人まで、"
            "**もくもく会** と **LT** を交互に開いています。\n\n"
            "- 会場: グランフロント大阪 (スポンサー企業の会議室)\n"
            "- 言語: 日本語 (English speakers welcome!)\n"
        ),
        "x_account": "osaka_py",
    },
    "rust-online": {
        "title": "Rust Online Hour",
        "subtitle": "A monthly online hour about Rust, in English and Japanese",
        "description": (
            "One hour, two talks, one Q&A — online, every month.\n\n"
            "月に一度、オンラインで Rust の話を 1 時間。発表は英語または日本語です。\n\n"
            '```rust\nfn main() {\n    println!("Hello, meetup!");\n}\n```\n'
        ),
        "x_account": "",
    },
    "k8s-night-tokyo": {
        "title": "Kubernetes Night Tokyo",
        "subtitle": "Kubernetes とクラウドネイティブの夜",
        "description": (
            "Kubernetes を本番で運用している人たちの、少し深めの勉強会です。会場と YouTube の"
            "ハイブリッド開催。\n\n| 時刻 | 内容 |\n| --- | --- |\n| 19:00 | 開場 |\n"
            "| 19:30 | 発表 × 3 |\n| 21:00 | 懇親会 |\n"
        ),
        "x_account": "k8snight_tokyo",
    },
    "fukuoka-data": {
        "title": "Fukuoka Data Meetup",
        "subtitle": "福岡でデータ分析・機械学習を語る会",
        "description": "天神でゆるく集まるデータ分析の勉強会です。はじめての方も歓迎します。",
        "x_account": "",
    },
}
