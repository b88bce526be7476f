"""The company's business vocabulary in one place: what its words mean to kehu.

The words are the enums of schemas/common.schema.json; here they get their meaning, once,
for rules, statistics, pages and exports alike:

- vocabulary: the stages and their groups (active, 公海-exempt, after-sales …), complaint
  statuses (open / done), confidentiality levels and what each may show, the visit types
  rules single out, and `unplaced(schemas)` to keep all of that in step with the schema;
- visibility: `Visibility`, the one masking policy of site, export and reports;
- records: contract date, survey completeness, staff labels;
- periods: the statistics week (Friday 18:00), the last month, a range of days.
"""

from kehu.domain.periods import (
    FRIDAY,
    WEEK_CLOSES,
    Period,
    add_months,
    calendar_month,
    complete_months,
    date_range,
    in_closing_week,
    last_month,
    last_week,
    presented_month,
    previous_month,
)
from kehu.domain.records import contract_signed, staff_label, staff_name, survey_completeness, unfilled_survey_fields
from kehu.domain.visibility import Visibility
from kehu.domain.vocabulary import (
    ACTIVE_STAGES,
    COMPLAINT_STATUSES,
    CONFIDENTIALITY,
    CONFIRMED_VISIT_TYPES,
    CONSTRUCTION_STAGES,
    DEFAULT_CONFIDENTIALITY,
    DONE_STATUSES,
    FIRST_STAGE,
    FIRST_STATUS,
    FOLLOWUP_VISIT,
    INSPECTION_VISIT,
    LOST_STAGES,
    MONTHLY_VISIT_EXEMPT_STAGES,
    NO_SALES_ACTION_TYPES,
    OPEN_STATUSES,
    PHASES,
    POOL,
    RECLAIM_EXEMPT_STAGES,
    SALES_STAGES,
    STAGES,
    SURVEY_VISIT,
    funnel,
    joined,
    stages_in,
    strictness,
    threshold,
    unplaced,
)

__all__ = [
    "ACTIVE_STAGES", "COMPLAINT_STATUSES", "CONFIDENTIALITY", "CONFIRMED_VISIT_TYPES",
    "CONSTRUCTION_STAGES", "DEFAULT_CONFIDENTIALITY",
    "DONE_STATUSES", "FIRST_STAGE", "FIRST_STATUS", "FOLLOWUP_VISIT", "FRIDAY", "INSPECTION_VISIT", "LOST_STAGES",
    "MONTHLY_VISIT_EXEMPT_STAGES", "NO_SALES_ACTION_TYPES", "OPEN_STATUSES", "PHASES", "POOL", "Period",
    "RECLAIM_EXEMPT_STAGES", "SALES_STAGES", "STAGES", "SURVEY_VISIT", "Visibility", "WEEK_CLOSES", "add_months",
    "calendar_month", "complete_months", "contract_signed", "date_range", "in_closing_week", "funnel", "joined",
    "last_month", "last_week", "presented_month", "previous_month", "stages_in", "staff_label", "staff_name",
    "strictness", "survey_completeness", "threshold", "unfilled_survey_fields", "unplaced",
]
