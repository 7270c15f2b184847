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

# Where tickets wait for a dispatcher, the managers' read-only view, and customer service's
# chat, where closed jobs' return visits (回访) come due.
[chats]
supervisors = [{ platform = "sandbox", chat_id = "dispatch" }]
management = [{ platform = "sandbox", chat_id = "management" }]
agents = [{ platform = "sandbox", chat_id = "agents" }]

# 回访: which closed jobs customer service calls back, and how many days after closing.
# policy: "never", "if_not_rated" (the resident gave no stars) or "always"; a rule without a
# category is for every other category. A resident nobody reaches is called again the next
# day, three times in all.
[[visits]]
category = "水电"
policy = "always"
after_days = 3

[[visits]]
category = "电梯"
policy = "never"

[[visits]]
policy = "if_not_rated"
after_days = 7

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

# 维修服务项目表及收费标准: what a job may be charged, published to residents at /r/fees.
# A fixed price, a range the technician prices within on site (min_price, max_price), or
# free = true for what the property fee covers. Prices are yuan; materials are extra.
# Leave category out for an item of any category. `baoxiu fees import 收费标准.xlsx` replaces
# these items with the office's sheet, `baoxiu fees export` writes them as one.
[[fees.items]]
code = "SD-01"
name = "更换水龙头"
category = "水电"
unit = "个"
price = 30

[[fees.items]]
code = "SD-02"
name = "疏通下水道"
category = "水电"
unit = "次"
min_price = 50
max_price = 150

[[fees.items]]
code = "SD-03"
name = "更换开关、插座"
category = "水电"
unit = "个"
price = 15

[[fees.items]]
code = "SD-04"
name = "更换灯泡"
category = "水电"
unit = "个"
price = 12.5

[[fees.items]]
code = "SD-05"
name = "户内电路故障检修"
category = "水电"
unit = "次"
min_price = 50
max_price = 200

[[fees.items]]
code = "RQ-01"
name = "燃气泄漏检查"
category = "燃气"
unit = "次"
free = true

[[fees.items]]
code = "MC-01"
name = "更换门锁"
category = "门窗"
unit = "把"
price = 50

[[fees.items]]
code = "MC-02"
name = "窗户滑轮、合页维修"
category = "门窗"
unit = "扇"
min_price = 30
max_price = 80

[[fees.items]]
code = "TJ-01"
name = "墙面局部修补"
category = "土建"
unit = "平方米"
min_price = 40
max_price = 120

[[fees.items]]
code = "GG-01"
name = "公共区域照明维修"
category = "公共设施"
unit = "次"
free = true

[[fees.items]]
code = "DT-01"
name = "电梯困人救援"
category = "电梯"
unit = "次"
free = true

[[fees.items]]
code = "TY-01"
name = "上门检查（未维修）"
unit = "次"
free = true
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
