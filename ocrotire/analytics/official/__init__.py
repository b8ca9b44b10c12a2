"""Official reports: the HG 270 annual monitoring report (page, API, workbook) and the DHIS2
export."""
