"""Provides tests for message threading: JWZ cases, subject fallback and its limits, scale, determinism."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from discovery.ingest.fields import normalize_subject
from discovery.threads import (
    GENERIC_SUBJECTS,
    SUBJECT_WINDOW,
    ThreadInput,
    ThreadLink,
    assign_threads,
)

START = datetime(2020, 1, 1, tzinfo=UTC)


def day(n: float) -> str:
    """An ISO 8601 UTC date n days after 2020-01-01."""
    return (START + timedelta(days=n)).isoformat()


def msg(
    id: str,
    mid: str | None = None,
    irt: str = "",
    refs: tuple[str, ...] = (),
    subject: str = "",
    date: str = "",
) -> ThreadInput:
    """A message whose Message-ID defaults to <id>."""
    return ThreadInput(
        id=id,
        message_id=f"<{id}>" if mid is None else mid,
        in_reply_to=irt,
        references=refs,
        subject=subject,
        date=date,
    )


def link(thread: str, parent: str = "", depth: int = 0) -> ThreadLink:
    return ThreadLink(thread_id=thread, parent_id=parent, depth=depth)


def assert_same_under_shuffles(items: list[ThreadInput], times: int = 5) -> dict[str, ThreadLink]:
    expected = assign_threads(items)
    rng = random.Random(1234)
    for _ in range(times):
        shuffled = items[:]
        rng.shuffle(shuffled)
        assert assign_threads(shuffled) == expected
    assert assign_threads(reversed(items)) == expected
    return expected


# --- basics ------------------------------------------------------------------------------------------


def test_empty_input() -> None:
    assert assign_threads([]) == {}


def test_message_without_relations_is_its_own_thread() -> None:
    out = assign_threads([msg("a", subject="one"), msg("b", mid="", subject="two")])
    assert out == {"a": link("a"), "b": link("b")}


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="distinct"):
        assign_threads([msg("a"), msg("a", mid="<other>")])


def test_references_chain() -> None:
    items = [
        msg("a", date=day(0)),
        msg("b", refs=("<a>",), date=day(1)),
        msg("c", refs=("<a>", "<b>"), date=day(2)),
        msg("d", refs=("<a>",), date=day(3)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"a": link("a"), "b": link("a", "a", 1), "c": link("a", "b", 2), "d": link("a", "a", 1)}


def test_in_reply_to_used_when_references_absent() -> None:
    items = [msg("a", date=day(0)), msg("b", irt="<a>", date=day(1)), msg("c", irt="<b>", date=day(2))]
    out = assign_threads(items)
    assert out["c"] == link("a", "b", 2)


def test_in_reply_to_is_last_parent_when_references_do_not_end_with_it() -> None:
    # Some clients truncate References; In-Reply-To still names the direct parent.
    items = [
        msg("a", date=day(0)),
        msg("b", refs=("<a>",), date=day(1)),
        msg("c", irt="<b>", refs=("<a>",), date=day(2)),
    ]
    out = assign_threads(items)
    assert out["c"] == link("a", "b", 2)


def test_in_reply_to_already_inside_references() -> None:
    items = [
        msg("a", date=day(0)),
        msg("b", refs=("<a>",), date=day(1)),
        msg("x", refs=("<a>", "<b>"), date=day(2)),
        msg("c", irt="<b>", refs=("<a>", "<b>", "<x>"), date=day(3)),
    ]
    out = assign_threads(items)
    assert out["c"] == link("a", "b", 2)
    assert out["x"] == link("a", "b", 2)


def test_undated_messages_sort_last_for_the_thread_id() -> None:
    items = [msg("a"), msg("b", irt="<a>", date=day(5))]
    out = assign_threads(items)
    assert out == {"a": link("b"), "b": link("b", "a", 1)}


def test_thread_id_is_earliest_message_even_when_it_is_not_the_root() -> None:
    # b's clock is wrong: it claims to predate the message it replies to.
    items = [msg("a", date=day(2)), msg("b", irt="<a>", date=day(1))]
    out = assert_same_under_shuffles(items)
    assert out == {"a": link("b"), "b": link("b", "a", 1)}


def test_thread_id_ties_broken_by_id() -> None:
    items = [msg("m2", refs=("<gone>",), date=day(1)), msg("m1", refs=("<gone>",), date=day(1))]
    out = assert_same_under_shuffles(items)
    assert out == {"m1": link("m1"), "m2": link("m1")}


# --- JWZ cases ---------------------------------------------------------------------------------------


def test_missing_parent_keeps_siblings_together() -> None:
    # <root> is not in the dump: b and c reply to it, d replies to c.
    items = [
        msg("b", refs=("<root>",), date=day(1)),
        msg("c", refs=("<root>",), date=day(2)),
        msg("d", refs=("<root>", "<c>"), date=day(3)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"b": link("b"), "c": link("b"), "d": link("b", "c", 1)}


def test_single_reply_to_missing_parent_is_promoted() -> None:
    items = [msg("b", refs=("<gone>",), date=day(1)), msg("c", irt="<b>", date=day(2))]
    assert assign_threads(items) == {"b": link("b"), "c": link("b", "b", 1)}


def test_missing_intermediate_messages_are_pruned() -> None:
    # <x> and <y> are referenced but missing: c hangs directly under a.
    items = [
        msg("a", date=day(0)),
        msg("c", refs=("<a>", "<x>", "<y>"), date=day(3)),
        msg("d", refs=("<a>", "<x>", "<y>", "<c>"), date=day(4)),
        msg("e", refs=("<a>", "<x>"), date=day(5)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {
        "a": link("a"),
        "c": link("a", "a", 1),
        "d": link("a", "c", 2),
        "e": link("a", "a", 1),
    }


def test_parent_known_only_from_other_messages_references() -> None:
    # b has no headers of its own, but c's References say b follows a.
    items = [
        msg("a", date=day(0)),
        msg("b", date=day(1)),
        msg("c", refs=("<a>", "<b>"), date=day(2)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"a": link("a"), "b": link("a", "a", 1), "c": link("a", "b", 2)}


def test_own_headers_beat_a_presumed_parent() -> None:
    # c's References presume x follows a, but x's own References say it follows b.
    items = [
        msg("a", date=day(0)),
        msg("b", date=day(0.5)),
        msg("c", refs=("<a>", "<x>"), date=day(1)),
        msg("x", refs=("<b>",), date=day(2)),
    ]
    out = assert_same_under_shuffles(items)
    assert out["x"] == link("b", "b", 1)
    assert out["c"] == link("b", "x", 2)
    assert out["a"] == link("a")


def test_reference_loop_between_two_messages() -> None:
    items = [msg("a", refs=("<b>",), date=day(0)), msg("b", refs=("<a>",), date=day(1))]
    out = assert_same_under_shuffles(items)
    assert set(out) == {"a", "b"}
    assert out["a"].thread_id == out["b"].thread_id == "a"
    assert {out["a"].parent_id, out["b"].parent_id} in ({"", "a"}, {"", "b"})


def test_reference_loop_of_three_and_inside_one_header() -> None:
    items = [
        msg("a", refs=("<c>",), date=day(0)),
        msg("b", refs=("<a>",), date=day(1)),
        msg("c", refs=("<b>",), date=day(2)),
        msg("d", refs=("<p>", "<q>", "<p>", "<q>"), date=day(3)),
    ]
    out = assert_same_under_shuffles(items)
    assert {out[k].thread_id for k in "abc"} == {"a"}
    assert sorted(out[k].depth for k in "abc") == [0, 1, 2]
    assert out["d"] == link("d")


def test_loop_is_cut_at_a_presumed_link_first() -> None:
    # a says it replies to b; c's References presume b follows a. a's own header wins.
    items = [
        msg("a", irt="<b>", date=day(0)),
        msg("b", date=day(1)),
        msg("c", refs=("<a>", "<b>"), date=day(2)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"a": link("a", "b", 1), "b": link("a"), "c": link("a", "b", 1)}


def test_self_reference() -> None:
    items = [
        msg("a", irt="<a>", refs=("<a>",), date=day(0)),
        msg("b", refs=("<b>", "<a>", "<b>"), date=day(1)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"a": link("a"), "b": link("a", "a", 1)}


def test_out_of_order_input() -> None:
    items = [
        msg("d", refs=("<a>", "<b>", "<c>"), date=day(3)),
        msg("c", refs=("<a>", "<b>"), date=day(2)),
        msg("b", refs=("<a>",), date=day(1)),
        msg("a", date=day(0)),
    ]
    out = assign_threads(items)
    assert out == {"a": link("a"), "b": link("a", "a", 1), "c": link("a", "b", 2), "d": link("a", "c", 3)}
    assert assert_same_under_shuffles(items) == out


def test_duplicate_message_ids() -> None:
    # Two different messages exported with the same Message-ID: the earlier one claims it.
    items = [
        msg("root", date=day(0)),
        msg("first", mid="<dup>", irt="<root>", date=day(1)),
        msg("second", mid="<dup>", irt="<other>", date=day(2)),
        msg("other", date=day(1.5)),
        msg("reply", irt="<dup>", date=day(3)),
        msg("lonely", mid="<dup>", date=day(4)),
    ]
    out = assert_same_under_shuffles(items)
    assert out["first"] == link("root", "root", 1)
    assert out["reply"] == link("root", "first", 2)
    assert out["second"] == link("other", "other", 1)
    assert out["lonely"] == link("lonely")


def test_empty_message_ids_never_link() -> None:
    items = [msg("a", mid="", date=day(0)), msg("b", mid="", irt="", date=day(1))]
    assert assign_threads(items) == {"a": link("a"), "b": link("b")}


# --- subject fallback --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    ["Re: Budget 2021", "RE: budget 2021", "Fwd: Budget 2021", "FW: Budget 2021", "AW: Budget 2021",
     "WG: Budget 2021", "Re: Re: Fwd:  BUDGET   2021", "RE[2]: Budget 2021", "SV: Budget 2021"],
)  # fmt: skip
def test_reply_without_headers_joins_by_subject(subject: str) -> None:
    items = [msg("orig", subject="Budget 2021", date=day(0)), msg("reply", subject=subject, date=day(2))]
    out = assert_same_under_shuffles(items)
    assert out == {"orig": link("orig"), "reply": link("orig", "orig", 1)}


def test_subject_reply_brings_its_own_subtree() -> None:
    items = [
        msg("orig", subject="Budget 2021", date=day(0)),
        msg("reply", subject="Re: Budget 2021", date=day(2)),
        msg("reply2", irt="<reply>", subject="Re: Budget 2021", date=day(3)),
    ]
    out = assert_same_under_shuffles(items)
    assert out["reply2"] == link("orig", "reply", 2)


def test_replies_to_a_missing_message_join_an_original_by_subject() -> None:
    # Both replies name <lost>, which is not in the dump; "orig" probably is <lost> under another id.
    items = [
        msg("orig", mid="", subject="Budget 2021", date=day(0)),
        msg("r1", refs=("<lost>",), subject="Re: Budget 2021", date=day(1)),
        msg("r2", refs=("<lost>",), subject="Re: Budget 2021", date=day(2)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"orig": link("orig"), "r1": link("orig", "orig", 1), "r2": link("orig", "orig", 1)}


def test_reply_goes_under_latest_original_before_it() -> None:
    items = [
        msg("jan", subject="Budget 2021", date=day(0)),
        msg("feb", subject="Budget 2021", date=day(30)),
        msg("reply", subject="Re: Budget 2021", date=day(31)),
        msg("skewed", subject="Re: Budget 2021", date=day(29.8)),  # a few hours before "feb"
    ]
    out = assert_same_under_shuffles(items)
    assert out["jan"] == link("jan")
    # "skewed" is the earliest message of feb's thread, so it names the thread.
    assert out["feb"] == link("skewed")
    assert out["reply"] == link("skewed", "feb", 1)
    assert out["skewed"] == link("skewed", "feb", 1)


def test_reply_well_before_any_original_is_not_merged() -> None:
    items = [
        msg("reply", subject="Re: Budget 2021", date=day(0)),
        msg("orig", subject="Budget 2021", date=day(5)),
    ]
    assert assign_threads(items) == {"reply": link("reply"), "orig": link("orig")}


def test_two_originals_with_the_same_subject_are_not_merged() -> None:
    items = [msg(f"w{i}", subject="Weekly report", date=day(7 * i)) for i in range(5)]
    assert assign_threads(items) == {f"w{i}": link(f"w{i}") for i in range(5)}


def test_orphan_replies_with_the_same_subject_share_a_thread() -> None:
    items = [
        msg("r1", subject="Re: Budget 2021", date=day(0)),
        msg("r2", subject="RE: Budget 2021", date=day(10)),
        msg("r3", subject="Re: budget 2021", date=day(200)),
        msg("r4", subject="Re: budget 2021", date=day(250)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"r1": link("r1"), "r2": link("r1"), "r3": link("r3"), "r4": link("r3")}


def test_orphan_reply_clusters_chain_while_the_conversation_goes_on() -> None:
    # Each reply is within the window of the previous one: one conversation. A gap over the window
    # starts another.
    step = SUBJECT_WINDOW.days * 0.6
    dates = [0, step, 2 * step, 3 * step, 3 * step + SUBJECT_WINDOW.days + 1]
    items = [msg(f"r{i}", subject="Re: Budget 2021", date=day(d)) for i, d in enumerate(dates)]
    out = assign_threads(items)
    assert [out[f"r{i}"].thread_id for i in range(5)] == ["r0", "r0", "r0", "r0", "r4"]


@pytest.mark.parametrize(
    "original, reply",
    [("", "Re:"), ("", ""), ("(no subject)", "RE: (no subject)"), ("Hi", "Re: hi"), ("hello", "Re: Hello"),
     ("Question", "AW: question"), ("Meeting", "Re: Meeting"), ("ok", "Re: ok"), ("?!", "Re: ?!")],
)  # fmt: skip
def test_generic_subjects_are_not_merged(original: str, reply: str) -> None:
    items = [msg("orig", subject=original, date=day(0)), msg("reply", subject=reply, date=day(1))]
    assert assign_threads(items) == {"orig": link("orig"), "reply": link("reply")}


def test_stop_list_holds_normalized_subjects() -> None:
    assert all(normalize_subject(s) == s for s in GENERIC_SUBJECTS)


def test_reply_finds_its_original_however_late() -> None:
    # A vendor's "RE: <subject>" can come back a year later with its headers lost: it still belongs under
    # the latest original with that subject before it, not under a later one.
    items = [
        msg("orig", subject="Budget 2021", date=day(0)),
        msg("late", subject="Re: Budget 2021", date=day(SUBJECT_WINDOW.days - 1)),
        msg("year-later", subject="Re: Budget 2021", date=day(400)),
        msg("orig2", subject="Budget 2021", date=day(500)),
    ]
    out = assert_same_under_shuffles(items)
    assert out["late"] == link("orig", "orig", 1)
    assert out["year-later"] == link("orig", "orig", 1)
    assert out["orig2"] == link("orig2")


def test_no_subject_merge_without_dates() -> None:
    items = [
        msg("orig", subject="Budget 2021"),
        msg("reply", subject="Re: Budget 2021"),
        msg("bad", subject="Re: Budget 2021", date="not a date"),
    ]
    assert assign_threads(items) == {"orig": link("orig"), "reply": link("reply"), "bad": link("bad")}


def test_list_tags_are_not_reply_prefixes() -> None:
    items = [
        msg("a", subject="[dev] New release", date=day(0)),
        msg("b", subject="[dev] New release", date=day(1)),
        msg("c", subject="Re: [dev] New release", date=day(2)),
    ]
    out = assert_same_under_shuffles(items)
    assert out == {"a": link("a"), "b": link("b"), "c": link("b", "b", 1)}


def test_subject_fallback_only_looks_at_roots() -> None:
    # "mid" already has a parent by headers: a subject match cannot move it.
    items = [
        msg("other", subject="Budget 2021", date=day(0)),
        msg("top", subject="Planning", date=day(1)),
        msg("mid", irt="<top>", subject="Re: Budget 2021", date=day(2)),
    ]
    out = assign_threads(items)
    assert out["mid"] == link("top", "top", 1)
    assert out["other"] == link("other")


# --- determinism and scale ---------------------------------------------------------------------------


def _random_dump(rng: random.Random, n: int) -> list[ThreadInput]:
    subjects = ["Budget 2021", "Lunch", "Merger talks", "hi", "", "Weekly report"]
    prefixes = ["", "Re: ", "RE: ", "Fwd: ", "AW: "]
    items: list[ThreadInput] = []
    for i in range(n):
        refs: tuple[str, ...] = ()
        irt = ""
        if i and rng.random() < 0.7:
            back = rng.sample(range(max(0, i - 30), i + 5), k=min(3, rng.randint(1, 3)))
            refs = tuple(f"<m{j}>" for j in back)  # sometimes forward, missing or looping
            irt = refs[-1] if rng.random() < 0.5 else f"<m{rng.randrange(n)}>"
        mid = f"<m{i}>" if rng.random() < 0.9 else rng.choice(["", f"<m{rng.randrange(n)}>"])
        date = day(rng.randrange(400) + rng.random()) if rng.random() < 0.95 else ""
        subject = rng.choice(prefixes) + rng.choice(subjects)
        items.append(ThreadInput(f"id{i}", mid, irt, refs, subject, date))
    return items


def test_random_dumps_are_deterministic_and_consistent() -> None:
    rng = random.Random(7)
    for _ in range(5):
        items = _random_dump(rng, 300)
        out = assert_same_under_shuffles(items, times=3)
        assert set(out) == {m.id for m in items}
        for value in out.values():
            if value.parent_id:
                above = out[value.parent_id]
                assert above.thread_id == value.thread_id
                assert above.depth == value.depth - 1
            else:
                assert value.depth == 0
            assert out[value.thread_id].thread_id == value.thread_id


def test_chain_of_100000() -> None:
    n = 100_000
    items = [
        msg(f"m{i:06d}", irt=f"<m{i - 1:06d}>" if i else "", date=f"2020-01-01T00:00:00.{i:06d}+00:00")
        for i in range(n)
    ]
    items.reverse()
    out = assign_threads(items)
    assert out[f"m{n - 1:06d}"] == link("m000000", f"m{n - 2:06d}", n - 1)
    # A chain by References only, undated, ids in a scrambled order (so processed out of chain order).
    n = 20_000
    undated = [
        msg(f"u{(i * 7919) % n:06d}", mid=f"<c{i}>", refs=(f"<c{i - 1}>",) if i else (), date="")
        for i in range(n)
    ]
    out = assign_threads(undated)
    assert out[f"u{((n - 1) * 7919) % n:06d}"].depth == n - 1
    assert {v.thread_id for v in out.values()} == {"u000000"}


def test_chain_whose_presumed_links_are_overridden() -> None:
    # The even messages sort first; each one's References presume its parent hangs under <c0>, and then
    # each odd message moves itself under its own parent. Checking every such move for a loop by walking
    # up the tree, as JWZ describes, would be quadratic here.
    n = 10_000
    items = [
        msg(f"x{(i % 2) * n + i:06d}", mid=f"<c{i}>", refs=tuple(dict.fromkeys(("<c0>", f"<c{i - 1}>"))))
        for i in range(1, n)
    ]
    items.append(msg("x000000", mid="<c0>"))
    out = assign_threads(items)
    assert max(v.depth for v in out.values()) == n - 1
    assert {v.thread_id for v in out.values()} == {"x000000"}


def test_one_loop_through_all_messages() -> None:
    n = 10_000
    items = [msg(f"l{i:06d}", irt=f"<l{(i + 1) % n:06d}>") for i in range(n)]
    out = assign_threads(items)
    assert out["l000000"] == link("l000000")
    assert max(v.depth for v in out.values()) == n - 1


def test_200000_synthetic_messages() -> None:
    # Threads of 20 messages, one thread every hour; the last message of each has lost its headers.
    n = 200_000
    mids = [f"<t{i // 20}.{i % 20}>" for i in range(n)]
    items = []
    for thread in range(n // 20):
        base = (START + timedelta(hours=thread)).replace(tzinfo=None).isoformat()
        topic = f"Topic {thread % 5000}"
        for pos in range(20):
            i = thread * 20 + pos
            refs = tuple(mids[max(i - pos, i - 3) : i]) if pos < 19 else ()
            subject = f"Re: {topic}" if pos else topic
            items.append(ThreadInput(f"id{i}", mids[i], "", refs, subject, f"{base}.{pos:06d}+00:00"))
    out = assign_threads(items)
    assert len(out) == n
    assert out["id1"] == link("id0", "id0", 1)
    assert out["id19"] == link("id0", "id0", 1)  # no headers: found by subject
