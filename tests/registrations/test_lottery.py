from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kaisai.registrations import lottery


@given(st.sets(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=60), st.data())
def test_removing_one_applicant_keeps_relative_order_of_the_others(ids, data):
    seed = "ab" * 32
    removed = data.draw(st.sampled_from(sorted(ids)))
    full = lottery.draw_order(seed, ids)
    without = lottery.draw_order(seed, ids - {removed})
    assert without == [rid for rid in full if rid != removed]


def test_same_seed_same_order_and_other_seed_other_order():
    ids = list(range(1, 201))
    assert lottery.draw_order("1" * 64, ids) == lottery.draw_order("1" * 64, reversed(ids))
    assert lottery.draw_order("1" * 64, ids) != lottery.draw_order("2" * 64, ids)


def test_nominated_come_first():
    order = lottery.draw_order("3" * 64, range(1, 50), nominated=[7, 42])
    assert set(order[:2]) == {7, 42}


def test_verify_accepts_the_real_draw_and_rejects_a_forgery():
    seed = lottery.new_seed()
    ids, nominated = list(range(1, 30)), [5]
    order = lottery.draw_order(seed, ids, nominated)
    kwargs = dict(published_commitment=lottery.commitment(seed), algorithm=lottery.ALGORITHM,
                  applicants=ids, nominated=nominated)  # fmt: skip
    assert lottery.verify(seed=seed, order=order, **kwargs)
    assert not lottery.verify(seed=seed, order=order[1:] + order[:1], **kwargs)
    assert not lottery.verify(seed=lottery.new_seed(), order=order, **kwargs)


def test_commitment_is_sha256_of_seed():
    import hashlib

    assert lottery.commitment("abc") == hashlib.sha256(b"abc").hexdigest()
