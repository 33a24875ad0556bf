"""The only core code that imports Streamlit: session glue (`session`), model-driven forms (`forms`).
Screens write `from core import ui` and call `ui.page_start()`, `ui.list_editor(...)`, `ui.money(...)`."""

from ..formatting import distinct_labels, md, money, signed, signed_money
from .forms import AMOUNT_BOXES, HELP, amount_input, list_editor, model_inputs, pick_and_do
from .session import (
    PICKER_LIMIT,
    PICKER_MATCHES,
    SCREENS,
    amount_column,
    amounts_written,
    attempt,
    big_number,
    cell_text,
    deal_header,
    deal_or_stop,
    deal_page,
    evidence_labels,
    flash,
    get_store,
    go_to,
    hidden,
    link_deal_id,
    live,
    open_deal,
    page_start,
    pdf_download,
    per_revision,
    record_click,
    recorded,
    safe_mode,
    screen_link,
    shareable,
    shared_per_revision,
    show_flash,
    show_problems,
    sponsor_brief_button,
    table,
)

__all__ = [
    "AMOUNT_BOXES", "HELP", "PICKER_LIMIT", "PICKER_MATCHES", "SCREENS", "amount_column", "amount_input", "amounts_written", "attempt", "cell_text", "big_number", "deal_header", "deal_or_stop", "deal_page", "distinct_labels", "evidence_labels",
    "flash", "get_store", "go_to", "hidden", "link_deal_id", "live", "list_editor", "md", "model_inputs", "money", "open_deal",
    "page_start", "pdf_download", "per_revision", "pick_and_do", "record_click", "recorded", "safe_mode", "screen_link", "shareable", "shared_per_revision", "sponsor_brief_button", "show_flash", "show_problems",
    "signed", "signed_money", "table",
]  # fmt: skip
