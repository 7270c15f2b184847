"""Feishu (Lark) as a platform of baoxiu."""
