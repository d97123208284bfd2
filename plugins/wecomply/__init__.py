"""WeComply: a company's WeCom (企业微信) management policy as Airflow 3 automation."""

__version__ = "0.1.0"
