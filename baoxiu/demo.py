"""Starter configurations written by `baoxiu init`."""

import secrets

_HEADER = """\
# baoxiu configuration. Every value can be overridden by an environment variable:
# BAOXIU_<SECTION>__<KEY>, e.g. BAOXIU_DATABASE__URL or BAOXIU_FEISHU__APP_SECRET.

[site]
name = "{site}"
timezone = "Asia/Shanghai"
public_url = "http://127.0.0.1:8080"
# The service centre's phone: the report form, status page and posters tell residents to call it.
hotline = "0571-88886666"

[database]
# SQLite in var/ next to this file by default (with residents' photos, [site] data_dir);
# PostgreSQL in production:
# url = "postgresql+asyncpg://baoxiu@db.internal/baoxiu"
url = "sqlite+aiosqlite:///var/baoxiu.db"

[api]
# Bearer tokens for the REST API: Authorization: Bearer <key>
keys = ["{key}"]
"""

_DEMO = """
# dispatch: "claim" (师傅抢单), "assign" (班组长派单) or "round_robin" (系统轮派)
[[teams]]
id = "shuidian"
name = "水电组"
categories = ["水电", "燃气"]
dispatch = "claim"
max_open_per_technician = 5
chats = [{ platform = "sandbox", chat_id = "shuidian" }]

[[teams]]
id = "tujian"
name = "土建组"
categories = ["门窗", "土建", "公共设施"]
dispatch = "assign"
max_open_per_technician = 5
chats = [{ platform = "sandbox", chat_id = "tujian" }]

[[teams]]
id = "dianti"
name = "电梯组"
categories = ["电梯"]
dispatch = "round_robin"
max_open_per_technician = 3
chats = [{ platform = "sandbox", chat_id = "dianti" }]

# Where tickets wait for a dispatcher, and the managers' read-only view.
[chats]
supervisors = [{ platform = "sandbox", chat_id = "dispatch" }]
management = [{ platform = "sandbox", chat_id = "management" }]

[[members]]
id = "li"
name = "李师傅"
roles = ["technician"]
teams = ["shuidian"]
phone = "13800000001"

[[members]]
id = "wang"
name = "王师傅"
roles = ["technician"]
teams = ["shuidian"]
phone = "13800000002"

[[members]]
id = "zhang"
name = "张师傅"
roles = ["technician"]
teams = ["tujian"]
phone = "13800000003"

[[members]]
id = "zhao"
name = "赵师傅"
roles = ["technician"]
teams = ["tujian"]
phone = "13800000004"

[[members]]
id = "liu"
name = "刘师傅"
roles = ["technician"]
teams = ["dianti"]
phone = "13800000005"

[[members]]
id = "sun"
name = "孙师傅"
roles = ["technician"]
teams = ["dianti"]
phone = "13800000006"

[[members]]
id = "chen"
name = "陈班长"
roles = ["supervisor"]
teams = ["shuidian", "tujian", "dianti"]
phone = "13800000010"

[[members]]
id = "zhou"
name = "周经理"
roles = ["manager"]
phone = "13800000020"

[[members]]
id = "lin"
name = "林客服"
roles = ["agent"]
phone = "13800000030"

[[members]]
id = "admin"
name = "管理员"
roles = ["admin"]
"""

_MINIMAL = """
# One team to start with; add a [[teams]] block per maintenance crew.
[[teams]]
id = "weixiu"
name = "维修组"
categories = ["水电", "门窗", "公共设施"]
dispatch = "claim"
max_open_per_technician = 5
chats = [{ platform = "sandbox", chat_id = "weixiu" }]

# Add a [[members]] block per person: roles are agent, technician, supervisor, manager, admin.
[[members]]
id = "admin"
name = "管理员"
roles = ["admin"]
"""


def config_text(*, demo: bool) -> str:
    site = "阳光花园物业（演示）" if demo else "我的物业"
    header = _HEADER.format(site=site, key=secrets.token_urlsafe(24))
    return header + (_DEMO if demo else _MINIMAL)
