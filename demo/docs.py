"""docs/demo.md, written from the same scenario list that was injected into the records."""

from __future__ import annotations

from pathlib import Path

from demo import tables as D
from demo.model import Manifest
from demo.policy import FOLLOW_GAP, INSPECTION_STEPS
from demo.stories import DEDICATED_CUSTOMERS

HEAD = """# 演示数据 Demo records

`records/` 里是一家上海装饰公司（{company}）两年的客户档案演示数据：客户、跟进/回访、投诉、员工、
销毁记录和制度阈值。它由项目根目录的生成器 `demo/`（不属于 kehu 包，不随 kehu 安装）按固定种子生成——
同样的参数得到逐字节相同的文件；每条规则在某处被满足、在某处被违反，违反的地方都是下表里有名有姓的“故事”。
*The demo records are generated deterministically by `demo/`, a generator at the project's top that is
not part of the installed kehu package; every finding of `kehu check` on them is one of the stories below.*

## 重新生成 Regenerate

在项目根目录运行（先 `pip install -e .`：生成器用 kehu 的工作日日历）：

```sh
python3 -m demo --force                 # 重写 records/ 和 docs/demo.md
python3 -m demo --customers 20000 --out /tmp/bench-records   # 性能测试用的大数据集
python3 -m demo --no-scenarios --out /tmp/clean               # 不注入违规：kehu check 应无任何发现
```

选项 Options：`--out DIR`（默认仓库根目录的 `records/`）、`--seed N`（默认 {seed}）、
`--today YYYY-MM-DD`（默认 {today}，星期五）、`--customers N`（默认 300；跟进约 10 倍，投诉约 0.15 倍）、
`--scenarios/--no-scenarios`、`--force`（目录非空时先删掉其中 records 子目录里的 `*.yaml`/`*.yml`）、
`--docs PATH`/`--no-docs`。工作日用与 `kehu check` 相同的日历（kehu.calendar）；取值表（分级、阶段、渠道……）从
`schemas/common.schema.json` 读取。检查演示数据时请用同一个“今天”：

```sh
kehu check --today {today}
```

## 数量 Counts

| 员工 staff | 客户 customers | 跟进 visits | 投诉 complaints | 销毁记录 disposals | 文件 files |
|---:|---:|---:|---:|---:|---:|
| {staff} | {customers} | {visits} | {complaints} | {disposals} | {files} |

（`--customers {n}`，种子 {seed}，今天 {today}。300 位客户约 1 秒生成；`--customers 20000`
约 5 秒计算、加上写 23 万个文件的时间，共约 20 秒。）

## 人员 Staff

总经理 王力（wangli）、市场总监 赵敏（zhaomin，唯一有分配权的人）、店面经理 孙浩（sunhao）；
客户经理 刘洋（liuyang）、张伟（zhangwei）、李娜（lina）、周杰（zhoujie）、吴静（wujing）、
徐磊（xulei，今天前一天离职）；设计师 陈静（chenjing）、林峰（linfeng）、黄蕾（huanglei）、郭晨（guochen）；
客服专员 何丽（heli）、马超（machao）；品控 罗强（luoqiang）。

## 故事 Scenarios

“触发”为“否”的行是对照：规则在这里被满足（豁免、刚好在期限内），`kehu check` 不应报。
*Rows with 触发 = 否 show the satisfied side of a rule and must not be reported.*

| 规则 code | 触发 fires | 记录 records | 故事 story |
|---|---|---|---|
"""

TAIL = """
## 生成时的约定 Decisions

- 客户总数正好是 `--customers`：为故事专门建的 {dedicated} 位客户计入其中。故事的日期都相对于
  `--today` 计算（2025-09-30 的两件投诉除外，它们演示国庆假期和调休）。
- 除上表的故事外，数据按制度办事：签约前归属人按分级定期跟进（{gaps}，都在收回和预警天数之内）；
  上个自然月的跟进次数按分级补足（只计 `counts_as_sales_action` 为真的跟进，任何员工都算；
  流失、公海和当月最后一天才登记的客户不计）；设计预案、设计方案、方案后回访（1–2 天）、
  工地巡检（{inspect} 天一次）、调查表、投诉时限（当天开始调查、一个工作日内答复、两个工作日内解决、
  解决后回访）都按时。`--no-scenarios` 生成的数据，`kehu check` 应当没有任何发现。
- 公海客户：约 1% 的客户在设计预案后失去联系，超过收回天数后由市场总监收回（`owner: pool`）。
- 徐磊在“今天”的前一天离职：市场总监当天把他名下的客户重新分配（owner_history 有记录），
  K203 故事里的几位除外。
- 沉默类故事（K401、K304 等）的客户如果上个月的跟进也不够，生成器会自动在 K403 下再列一行，
  说明这是同一段沉默的连带结果。
- 员工 16 人：总经理、市场总监、店面经理各 1，客户经理 6（含离职的徐磊）、设计师 4、客服专员 2、品控 1。
- 工作日按国务院办公厅的放假安排（含调休上班日）计算；生成器和 `kehu check` 用同一个日历
  （kehu.calendar，基于 chinesecalendar）。投诉时限按“受理日之后第 N 个工作日当天结束前”理解。
- 销毁记录 D…-0001 列出的 11 年前的记录在仓库里本来就不存在，这正是销毁后的样子。
"""


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_docs(path: Path, manifest: Manifest, n: int) -> None:
    lines = [HEAD.format(company=D.COMPANY, seed=manifest.seed, today=manifest.today.isoformat(),
                         staff=manifest.staff, customers=manifest.customers, visits=manifest.visits,
                         complaints=manifest.complaints, disposals=manifest.disposals, files=manifest.files,
                         n=n)]
    for s in manifest.scenarios:
        records = "<br>".join([f"`{i}`" for i in s.record_ids] + [f"`{f}`" for f in s.files]) or "—"
        lines.append(f"| {s.code} | {'是' if s.fires else '否'} | {records} | {cell(s.story_zh)} |\n")
    gaps = "、".join(f"{g} 级 {lo}–{hi} 天" for g, (lo, hi) in FOLLOW_GAP.items())
    inspect = f"{min(INSPECTION_STEPS)}–{max(INSPECTION_STEPS)}"
    lines.append(TAIL.format(dedicated=DEDICATED_CUSTOMERS, gaps=gaps, inspect=inspect))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
