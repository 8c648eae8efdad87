"""Dates as analysts cite them, one way on every page: 2026-12-05 and 2026-12-05 11:34
(Django's English default, "Dec. 5, 2026, 11:34 a.m.", sat beside the field history's ISO
dates). Input formats stay Django's, which read these first."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
