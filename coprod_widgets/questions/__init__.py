"""Site question sets defined as XLSForm."""
