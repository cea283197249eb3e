"""The audits app: pure check engines (``checks``), check runs and findings (``runs``), the
audit programme (``programme``) and reports (``reporting``)."""
