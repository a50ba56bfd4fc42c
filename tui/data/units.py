"""Provides UnitsAdapter: the TUI's one adapter to whole-unit decisions (withhold a message from productions, undo
it), through discovery.redact.decisions, which audits each one."""

from __future__ import annotations

from discovery.tui.data.session import ReviewSession

from discovery.redact import decisions
from discovery.redact.policy import LAW_ENFORCEMENT, PRIVATE, load_redact_policy


class UnitsAdapter:
    """Withholds and releases whole messages for the review screen."""

    def __init__(self, session: ReviewSession) -> None:
        self.session = session

    def withheld_code(self, message_id: str) -> str | None:
        """The exemption code the message is withheld under ('' = the policy's default), None when it is not."""
        with self.session.reading() as case:
            found = decisions.unit_decisions(case.store, [message_id]).get(message_id, {}).get("message")
        return None if found is None else found.exemption

    def exemption_choices(self) -> list[str]:
        """The codes the case's policy uses (its default for private persons first), then the FOIA defaults."""
        try:
            policy, _ = load_redact_policy(self.session.case_dir)
            codes = [policy.exemption("PERSON"), *sorted(set(policy.exemptions.values()))]
        except Exception:  # noqa: BLE001 - an unreadable policy is reported when producing; offer the defaults
            codes = []
        return list(dict.fromkeys([*codes, PRIVATE, LAW_ENFORCEMENT]))

    def withhold_message(self, message_id: str, exemption: str) -> decisions.UnitDecision:
        return self.session.write(lambda c: decisions.withhold(
            c.store, message_id, "message", actor=self.session.reviewer, exemption=exemption,
            note="withheld in the review screen"))

    def release_message(self, message_id: str) -> bool:
        return bool(self.session.write(lambda c: decisions.release(
            c.store, message_id, "message", actor=self.session.reviewer)))
