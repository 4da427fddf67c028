"""The import page's explanation of its file format, in the user's language: each column with its
meaning, whether it is required and how to write it (the codes a column accepts, with their names)."""

from __future__ import annotations

from data_layer.core.i18n import join_list
from data_layer.core.validation import DONATION_KINDS, DONOR_TYPES, SERVICES, VEHICLES, VULNERABILITIES
from data_layer.registry.imports import COLUMNS, REQUIRED, TEMPLATE_EXAMPLES
from data_layer.store.reference import get_reference
from ui.session import PageContext

# Columns whose values are codes: the codes the file may use, each shown with its name.
_CHOICES = {
    "vulnerabilities": ("vulnerability", VULNERABILITIES),
    "donor_type": ("donor_type", DONOR_TYPES),
    "kind": ("donation_kind", DONATION_KINDS),
    "services": ("service", SERVICES),
    "vehicle": ("vehicle", VEHICLES),
}
# Columns with a rule of their own (catalog key import.format.<column>).
_RULES = {
    "national_id",
    "phone",
    "governorate",
    "household_size",
    "vulnerabilities",
    "needs",
    "services",
    "quantity",
    "value_tnd",
    "received_on",
    "available_from",
    "available_to",
    "category",
    "unit",
}


def import_format_markdown(ctx: PageContext, kind: str) -> str:
    categories = list(get_reference(ctx.db).categories)
    lines = [ctx.tr("import.format_intro")]
    for column in COLUMNS[kind]:
        required = ctx.tr("import.required" if column in REQUIRED[kind] else "import.optional")
        parts = [f"- `{column}` — **{ctx.tr('field.' + column)}** ({required})"]
        if column in _RULES:
            parts.append(ctx.tr(f"import.format.{column}"))
        if column in _CHOICES:
            prefix, codes = _CHOICES[column]
            parts.append(join_list((f"`{code}` {ctx.tr(f'{prefix}.{code}')}" for code in codes), ctx.lang))
        if column in ("category", "needs"):
            parts.append(join_list((f"`{code}` {ctx.tr(f'category.{code}')}" for code in categories), ctx.lang))
        example = TEMPLATE_EXAMPLES[kind].get(column)
        if example:
            parts.append(ctx.tr("import.example", example=f"`{example}`"))
        lines.append(" ".join(parts))
    lines.append(ctx.tr("import.format_outro"))
    return "\n".join(lines)
