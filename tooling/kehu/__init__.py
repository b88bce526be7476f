"""kehu 客户档案: customer records as YAML in git, checked against company rules."""

__version__ = "0.1.0"
