"""The baseline demo world: staff, customers following the company's process, their visits,
and complaints handled inside the deadlines. Every rule of `kehu check` is satisfied here;
the violations come from scenarios.py, so each finding in the demo is a documented story.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from demo import data as D
from demo.model import MILESTONES, Complaint, Customer, Visit
from demo.vocab import Vocab
from demo.workdays import add_workdays, is_workday, next_workday, workdays_between

DAY = timedelta(days=1)

# the demo's policy (records/policy.yaml); the generator keeps its records inside it
RECLAIM_AFTER = {"A": 90, "B": 60, "C": 45, "D": 30}
RECLAIM_WARNING = 7
VISITS_PER_MONTH = {"A": 1, "B": 1, "C": 2, "D": 0}
LARGE_SQM = 200
LARGE_TYPES = ("复式", "别墅")
# days between the owner's follow-ups before construction (well inside RECLAIM_AFTER - warning)
FOLLOW_GAP = {"A": (15, 30), "B": (15, 30), "C": (10, 16), "D": (12, 20)}
INSPECTION_STEPS = (4, 5, 5, 5)  # days between 工地巡检 (policy inspection_every_days: 5)


def wchoice(rng: random.Random, pairs):
    """Weighted choice from ((value, weight), ...)."""
    total = 0
    for _, w in pairs:
        total += w
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


class World:
    def __init__(self, seed: int, today: date, vocab: Vocab):
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.start = today - timedelta(days=730)
        self.V = vocab
        self.customers: list[Customer] = []
        self.complaints: list[Complaint] = []
        self.used_phones: set[str] = set()
        self.used_names: set[str] = {"王芳"}
        self.serial = 0
        self.order = 0
        self.staff = {row[0]: row for row in D.STAFF}
        self.leaver_left = today - DAY
        self._surnames = D.SURNAMES
        self._community_weights = tuple(
            (row, {"n": 30, "o": 14, "h": 18, "v": 6, "s": 2, "c": 2, "w": 2}[row[3]])
            for row in D.COMMUNITIES)

    # --- small helpers ----------------------------------------------------------------

    def at(self, day: date, h0: int = 9, h1: int = 19) -> datetime:
        rng = self.rng
        return datetime.combine(day, time(rng.randint(h0, h1 - 1), rng.randrange(0, 60)))

    def visit(self, c: Customer, at: datetime, staff: str, type_: str, summary: str, **kw) -> Visit:
        v = Visit(c, at, staff, self.V.check("visitType", type_), summary, **kw)
        self.order += 1
        v.order = self.order
        c.visits.append(v)
        return v

    def phone(self) -> str:
        rng = self.rng
        while True:
            number = wchoice(rng, D.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        rng = self.rng
        while True:
            number = f"021-{rng.choice('3456')}{rng.randrange(10**7):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def person_name(self, gender: str) -> str:
        rng = self.rng
        given = D.GIVEN_MALE if gender == "男" else D.GIVEN_FEMALE
        for _ in range(20):
            name = wchoice(rng, self._surnames) + rng.choice(given)
            if name not in self.used_names or rng.random() < 0.3:
                break
        if name == "王芳":
            name = "王芬"
        self.used_names.add(name)
        return name

    def wechat(self) -> str:
        rng = self.rng
        words = ("sunny", "lily", "amy", "kevin", "tony", "momo", "xiaoyu", "lucky", "coco",
                 "jason", "grace", "leo", "echo", "vivian", "daisy", "mike", "annie", "jack",
                 "yoyo", "summer", "panda", "happy", "snow", "river")
        tail = rng.choice((str(rng.randint(1965, 2000)), f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
                           "_" + str(rng.randint(1, 999)), "sh", "_home"))
        return rng.choice(words) + tail

    # --- customers --------------------------------------------------------------------

    def new_customer(self, reg_dt: datetime, registered_by: str | None = None,
                     community: tuple | None = None, house_type: str | None = None,
                     area: float | None = None, grade: str | None = None) -> Customer:
        rng = self.rng
        self.serial += 1
        c = Customer(self.serial)
        c.reg_dt = reg_dt
        c.gender = self.V.check("gender", rng.choice(("男", "女")))
        c.name = self.person_name(c.gender)
        comm = community or wchoice(rng, self._community_weights)
        c.community, c.district, street, kind = comm
        if house_type is None:
            house_type = {
                "n": lambda: wchoice(rng, (("普通", 80), ("大户型", 15), ("复式", 5))),
                "o": lambda: "普通",
                "h": lambda: wchoice(rng, (("大户型", 50), ("复式", 30), ("普通", 20))),
                "v": lambda: "别墅", "s": lambda: "自建房", "c": lambda: "商铺", "w": lambda: "办公",
            }[kind]()
        c.house_type = self.V.check("houseType", house_type)
        if area is None:
            lo, hi = {"普通": (55, 140), "大户型": (140, 220), "复式": (140, 300), "别墅": (220, 480),
                      "自建房": (150, 360), "商铺": (30, 200), "办公": (80, 600)}[house_type]
            area = rng.randint(lo, hi)
            if rng.random() < 0.15:
                area += 0.5
        c.area = area
        cond = {"o": (("旧房翻新", 85), ("精装改造", 15)),
                "v": (("毛坯", 60), ("精装改造", 25), ("旧房翻新", 15)),
                "h": (("毛坯", 55), ("精装改造", 30), ("旧房翻新", 15)),
                "s": (("旧房翻新", 60), ("毛坯", 40))}.get(kind, (("毛坯", 55), ("精装改造", 20), ("旧房翻新", 25)))
        c.condition = self.V.check("houseCondition", wchoice(rng, cond))
        rate = {"普通": (0.10, 0.22), "大户型": (0.15, 0.30), "复式": (0.18, 0.35), "别墅": (0.22, 0.45),
                "自建房": (0.08, 0.18), "商铺": (0.10, 0.25), "办公": (0.08, 0.18)}[house_type]
        budget = max(5.0, min(120.0, area * rng.uniform(*rate)))
        c.budget = float(round(budget)) if budget >= 20 else round(budget * 2) / 2
        if grade is None:
            if c.budget >= 60:
                grade = wchoice(rng, (("A", 50), ("B", 40), ("C", 10)))
            elif c.budget >= 25:
                grade = wchoice(rng, (("A", 12), ("B", 45), ("C", 36), ("D", 7)))
            else:
                grade = wchoice(rng, (("A", 3), ("B", 30), ("C", 55), ("D", 12)))
        c.grade = self.V.check("grade", grade)
        if house_type == "办公":
            c.style = rng.choice(("现代简约", "工业风", "极简"))
        elif house_type == "商铺":
            c.style = rng.choice(("工业风", "现代简约", "轻奢"))
        else:
            c.style = wchoice(rng, D.STYLES)
        if kind in ("v", "s"):
            c.address = f"{c.district}{street}{rng.randint(1, 260)}号" if kind == "v" else \
                f"{c.district}{c.community[:3]}{c.community[3:]}{rng.randint(1, 400)}号"
        elif kind == "c":
            c.address = f"{c.district}{street}{rng.randint(1, 3)}楼{rng.randint(101, 160)}室"
        elif kind == "w":
            c.address = f"{c.district}{street}{rng.randint(1, 12)}幢{rng.randint(2, 18)}楼"
        else:
            c.address = f"{c.district}{street}{rng.randint(1, 40)}号{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
        c.phones = [self.landline() if rng.random() < 0.01 else self.phone()]
        r = rng.random()
        if r < 0.05:
            c.phones.append(self.landline())
        elif r < 0.12:
            c.phones.append(self.phone())
        if rng.random() < 0.6:
            c.wechat = self.wechat()
        c.channel = self.V.check("channel", wchoice(rng, (
            ("到店", 14), ("电话", 9), ("网络", 24), ("展会", 7), ("小区推广", 16),
            ("老客户介绍", 14), ("中介", 7), ("合作伙伴", 5), ("其他", 4))))
        if c.channel == "老客户介绍":
            earlier = [o for o in self.customers[-400:] if o.contract and not o.frozen]
            c.referrer = rng.choice(earlier) if earlier else "老业主（未建档）"
        elif c.channel == "中介":
            c.referrer = rng.choice(D.INTERMEDIARIES)
            c.intermediary = True
        elif c.channel == "合作伙伴":
            c.referrer = rng.choice(D.PARTNERS)
        c.registered_by = registered_by or wchoice(rng, tuple(zip(D.MANAGERS, D.MANAGER_WEIGHTS)))
        c.large = area >= LARGE_SQM or house_type in LARGE_TYPES
        if c.large:
            c.designer = wchoice(rng, (("chenjing", 4), ("linfeng", 3), ("huanglei", 1), ("guochen", 1)))
        else:
            c.designer = wchoice(rng, (("chenjing", 2), ("linfeng", 3), ("huanglei", 3), ("guochen", 3)))
        if rng.random() < 0.3:
            c.tags = rng.sample(D.TAGS, rng.choice((1, 1, 2)))
        if rng.random() < 0.12:
            c.notes = rng.choice((
                "客户工作日晚上七点后方便联系", "客户周末才有空看现场", "夫妻意见不一致，需同时沟通",
                "家里有老人，重视防滑和无障碍", "客户对甲醛比较敏感，建议推荐环保板材",
                "物业要求装修押金，需提醒客户办理", "客户希望春节前入住", "曾在别家做过设计，想换公司",
            ))
        self.customers.append(c)
        return c

    def schedule(self, c: Customer, outcome: str | None = None, pause: int | None = None) -> None:
        """Every milestone this customer would reach (c.plan), and when it is lost, if ever."""
        rng = self.rng
        d0 = c.reg_dt.date()
        plan = {"first_consult": d0}
        t = d0 + DAY * (rng.randint(5, 9) if c.large else rng.randint(3, 6))
        plan["preplan_delivered"] = t
        if outcome is None:
            outcome = wchoice(rng, (("consult", 35), ("measure", 9), ("plan", 15), ("quote", 19), ("sign", 22)))
        if pause is None:
            pause = rng.randint(20, 100) if rng.random() < 0.15 else 0
        where = rng.random()
        if outcome == "consult":
            c.lost = t + DAY * (rng.randint(5, 25) + pause)
            c.plan = plan
            return
        t = t + DAY * (rng.randint(2, 10) + (pause if where < 0.5 else 0))
        plan["deposit_paid"] = t
        plan["site_measured"] = t + DAY * rng.randint(1, 3)
        pd = t + DAY * (rng.randint(8, 12) if c.large else rng.randint(4, 6))
        plan["plan_delivered"] = pd
        plan["first_plan_meeting"] = t = pd + DAY * rng.randint(0, 2)
        if outcome in ("measure", "plan"):
            base = t + DAY * 4
            if outcome == "measure":
                # the plan was delivered, but the customer went silent before the meeting
                del plan["first_plan_meeting"]
                base = pd
            c.lost = base + DAY * (rng.randint(3, 25) + (pause if where >= 0.5 else 0))
            c.plan = plan
            return
        t = t + DAY * (rng.randint(5, 14) + (pause if where >= 0.5 else 0))
        plan["quoted"] = t
        if outcome == "quote":
            c.lost = t + DAY * rng.randint(5, 30)
            c.plan = plan
            return
        plan["contract_signed"] = t = t + DAY * rng.randint(3, 15)
        plan["construction_started"] = t = t + DAY * rng.randint(7, 21)
        lo, hi = {"普通": (50, 75), "大户型": (65, 90), "复式": (80, 110), "别墅": (100, 140),
                  "自建房": (100, 140), "商铺": (30, 50), "办公": (40, 70)}[c.house_type]
        plan["completed"] = t = t + DAY * rng.randint(lo, hi)
        plan["settled"] = t + DAY * rng.randint(5, 15)
        try:
            plan["warranty_until"] = t.replace(year=t.year + 2)
        except ValueError:  # 29 February
            plan["warranty_until"] = t.replace(year=t.year + 2, day=28)
        c.plan = plan
        c.lost = None

    def realize(self, c: Customer, until: date | None = None) -> None:
        """Milestones reached by `until` (today), the stage, contract and survey."""
        until = until or self.today
        rng = self.rng
        c.milestones = {}
        for name in MILESTONES:
            when = c.plan.get(name)
            if when is None:
                continue
            reached = c.plan.get("settled") if name == "warranty_until" else when
            if reached is not None and reached <= until:
                c.milestones[name] = when
        c.stage = self.V.check("stage", c.stage_on(until))
        signed = c.milestones.get("contract_signed")
        if signed and c.contract is None:
            c.contract = (round(c.budget * rng.uniform(0.9, 1.2), 1), signed)
            c.survey = {
                "household_size": rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)),
                "age_range": rng.choice(D.AGE_RANGES),
                "occupation": rng.choice(D.OCCUPATIONS),
                "income_range": rng.choice(D.INCOME_RANGES) if rng.random() < 0.8 else None,
                "decision_maker": rng.choice(D.DECISION_MAKERS),
                "heard_from": {"到店": "门店路过", "电话": "网络搜索", "展会": "家博会", "小区推广": "小区推广",
                               "老客户介绍": "老客户介绍", "中介": "中介推荐", "合作伙伴": "合作伙伴推荐",
                               }.get(c.channel) or rng.choice(D.HEARD_FROM),
                "priorities": rng.sample(D.PRIORITIES, rng.randint(1, 3)),
                "filled_by": c.designer,
                "filled_at": signed,
            }

    # --- visits -----------------------------------------------------------------------

    def process_visits(self, c: Customer, until: date | None = None) -> None:
        """The visits of the company's process up to `until` (default today)."""
        until = until or self.today
        rng = self.rng
        p = c.plan
        owner = c.owner_at
        V = self.visit

        def on(name):
            d = p.get(name)
            return d if d is not None and d <= until else None

        first_type = {"到店": "到店咨询", "电话": "电话", "网络": rng.choice(("微信", "电话")),
                      "展会": "其他", "小区推广": "其他", "老客户介绍": "到店咨询", "中介": "电话",
                      "合作伙伴": "到店咨询", "其他": "电话"}[c.channel]
        first_summary = {
            "到店咨询": f"客户到店咨询，{c.community}{c.area:g}平米{c.condition}，预算约{c.budget:g}万，喜欢{c.style}风格，已填咨询记录",
            "电话": f"客户来电咨询{c.community}装修，{c.area:g}平米，约到店详谈",
            "微信": f"客户通过网络留资，微信沟通户型和预算（约{c.budget:g}万），约到店看样板",
            "其他": ("家博会展位咨询" if c.channel == "展会" else f"{c.community}小区推广活动现场咨询") +
                    f"，{c.area:g}平米{c.condition}，留了联系方式",
        }[first_type]
        V(c, c.reg_dt, c.registered_by, first_type, first_summary,
          confirmed=True if first_type == "到店咨询" else None)
        if (d := on("preplan_delivered")):
            V(c, self.at(d), c.designer, "微信",
              rng.choice(("设计预案（平面布置和风格意向图）已发给客户", "把设计预案发给客户，客户说周末和家人一起看",
                          "设计预案已交付：两种平面布置供客户选择")))
            if rng.random() < 0.25:
                V(c, self.at(d + DAY * rng.randint(0, 1)), owner(d), "电话",
                  "电话确认客户已收到设计预案，客户对收纳设计比较满意")
        if (d := on("deposit_paid")):
            V(c, self.at(d), owner(d), "到店咨询",
              f"客户到店交设计定金{rng.choice((2000, 3000, 5000))}元，约定量房时间", confirmed=True)
        if (d := on("site_measured")):
            V(c, self.at(d), c.designer, "量房",
              rng.choice(("上门量房，量工地记录客户已签字", "量房完成，确认承重墙位置和管道走向，客户签字确认",
                          "上门量房，与客户确认厨卫改动意向")), confirmed=True)
        if (d := on("first_plan_meeting")):
            V(c, self.at(d), c.designer, "方案沟通",
              rng.choice(("首次方案沟通：客户认可整体布局，主卧要加衣帽间", "讲解设计方案和效果图，客户希望客厅更简洁",
                          "方案沟通：客户确认平面方案，下周出报价")))
            f = d + DAY * rng.randint(1, 2)
            if f <= until:
                V(c, self.at(f), owner(f), "回访",
                  rng.choice(("方案沟通后回访：客户对方案满意，等家人看过再定", "回访客户对方案的意见，客户要求调整厨房布局",
                              "方案后回访，客户提出的修改已转设计师")))
        if (d := on("quoted")):
            amount = round(c.budget * rng.uniform(0.95, 1.25), 1)
            V(c, self.at(d), owner(d), "报价", f"出具报价单，总价{amount:g}万（含主材），客户说再比较一下")
        if (d := on("contract_signed")):
            amount = c.contract[0] if c.contract else round(c.budget, 1)
            start = p.get("construction_started")
            V(c, self.at(d), owner(d), "签约",
              f"签订装修合同，合同金额{amount:g}万，约定{start.month}月{start.day}日开工", confirmed=True)
        if (d := on("construction_started")):
            V(c, self.at(d, 8, 11), owner(d), "上门", "开工交底：与客户、项目经理现场确认施工图和工期", confirmed=True)
            end = p["completed"]
            self.inspections(c, d, min(end, until), c.inspection_gap)
        if (d := on("completed")):
            V(c, self.at(d), owner(d), "其他", "竣工验收，客户签字确认，移交钥匙", confirmed=True)
            s = d + DAY * rng.randint(3, 10)
            if s <= until:
                V(c, self.at(s), rng.choice(D.SERVICE), "满意度调查",
                  rng.choice(("竣工满意度调查", "电话满意度调查：对工期和施工质量满意", "满意度调查：对设计满意，对工地保洁有意见")),
                  satisfaction=wchoice(rng, ((5, 45), (4, 35), (3, 14), (2, 5), (1, 1))), sales=False)
            for offset, label in ((7, "交付一周"), (30, "交付一个月"), (91, "交付一个季度"), (365, "交付一年")):
                f = d + DAY * (offset + rng.randint(0, 3))
                if f <= until:
                    who = rng.choice(D.SERVICE) if offset in (30, 365) else owner(f)
                    V(c, self.at(f), who, "回访",
                      f"{label}回访：" + rng.choice(("客户入住情况良好", "卫生间地漏返味，已安排维修", "墙面有细小裂纹，约了保修上门",
                                                    "客户很满意，答应介绍朋友", "柜门需要调整，已通知安装师傅")))
        if (d := on("settled")):
            V(c, self.at(d), owner(d), "其他", "办理工程结算，发放保修卡", confirmed=True)
        if c.lost and c.lost <= until:
            d = c.lost
            V(c, self.at(d), owner(d), "电话", rng.choice((
                "客户已选择其他装修公司，转为流失", "客户决定暂缓装修，转为流失", "客户觉得预算超出太多，放弃装修",
                "客户房子准备出售，不再装修", "多次联系未回复，确认流失")))

    def inspections(self, c: Customer, start: date, end: date, gap: tuple | None = None) -> None:
        """工地巡检 every 3-5 days from `start` to `end`; `gap` = (from, days) leaves a hole (K604)."""
        rng = self.rng
        phases = ("水电", "水电", "泥木", "泥木", "泥木", "油漆", "油漆", "安装")
        total = max((c.plan.get("completed", end) - start).days, 1)
        d = start + DAY * rng.randint(0, 2)
        while d <= end:
            phase = phases[min(len(phases) - 1, (d - start).days * len(phases) // total)]
            who = rng.choice(c.inspectors) if c.inspectors else \
                wchoice(rng, ((D.QC, 55), (c.designer, 20), (c.owner_at(d), 25)))
            self.visit(c, self.at(d, 9, 17), who, "工地巡检", rng.choice((
                f"{phase}阶段巡检：现场整洁，按计划推进", f"{phase}阶段巡检：发现个别问题已要求整改",
                f"{phase}阶段巡检，工人按规范施工，材料已进场验收", f"{phase}阶段巡检，拍照发客户群")))
            if gap and d >= gap[0]:
                d = d + DAY * gap[1]
                gap = None
            else:
                d = d + DAY * rng.choice(INSPECTION_STEPS)

    def follow_ups(self, c: Customer, end: date, keep_going: bool) -> None:
        """The owner's calls and messages so that no gap before construction is too long.
        `end` is the last day of sales follow-up; `keep_going` when the customer is still
        open at `end` (then the last follow-up lands close to it)."""
        rng = self.rng
        lo, hi = FOLLOW_GAP[c.grade]
        touches = sorted(v.at.date() for v in c.visits
                         if v.counts and v.staff == c.owner_at(v.at.date()) and v.at.date() <= end)
        prev = c.reg_dt.date()
        for t in touches + ([None] if keep_going else []):
            while True:
                limit = t if t is not None else end
                if t is not None and (t - prev).days <= hi:
                    break
                nxt = prev + DAY * rng.randint(lo, hi)
                if nxt >= limit and t is not None:
                    break
                if t is None and nxt > end:
                    break
                self.filler(c, nxt)
                prev = nxt
            if t is not None:
                prev = max(prev, t)

    def filler(self, c: Customer, d: date, staff: str | None = None, type_: str | None = None):
        rng = self.rng
        stage = c.stage_on(d)
        texts = {
            "咨询": ("电话跟进，客户在比较几家公司的设计预案，约本周末到店看材料样板",
                   "微信发送同小区已完工案例照片，客户反馈不错", "客户表示年后再定装修时间，保持联系",
                   "邀请客户参加周六的工地开放日", f"电话沟通预算，客户希望控制在{c.budget:g}万以内",
                   "客户出差中，约下周再联系", "发送本月主材促销活动信息"),
            "量房": ("提醒客户准备物业装修备案资料", "与客户确认量房数据和户型改动意向",
                   "客户询问水电改造价格，已说明按实际量计算", "告知客户方案进度，设计师正在出效果图"),
            "方案": ("客户对方案提出修改意见，已转设计师", "约客户本周六到店看修改后的方案",
                   "微信发送主材样品图片供客户挑选", "客户想增加儿童房收纳，已转告设计师"),
            "报价": ("客户认为报价偏高，已解释主材品牌差异", "与客户逐项核对报价单，删减部分软装",
                   "客户在等年终奖到账后签约", "客户询问分期付款方式，已介绍合作银行的装修贷"),
            "签约": ("确认开工日期和物业报备进度", "提醒客户办理装修许可证", "约定进场交底时间"),
            "施工": ("到工地查看进度，客户对泥木工艺满意", "与客户确认橱柜下单尺寸", "电话告知客户下周油漆进场"),
        }
        summary = rng.choice(texts.get(stage, ("保修期电话回访，客户入住情况良好", "电话回访，客户反馈新家使用正常",
                                              "回访时客户咨询软装搭配，已推荐合作门店")))
        if type_ is None:
            type_ = "回访" if stage in ("验收", "结算", "保修") else "上门" if stage == "施工" else \
                rng.choice(("电话", "电话", "微信"))
        nxt = d + DAY * rng.randint(3, 14) if rng.random() < 0.3 else None
        return self.visit(c, self.at(d, 9, 21), staff or c.owner_at(d), type_, summary, next_contact=nxt)

    def sales_end(self, c: Customer) -> tuple[date, bool]:
        """Last day of pre-construction follow-up, and whether the customer is still open then."""
        ends = [self.today]
        if c.lost:
            ends.append(c.lost)
        if c.pool_from:
            ends.append(c.pool_from)
        if c.silent_from:
            ends.append(c.silent_from)
        started = c.plan.get("construction_started")
        if started:
            ends.append(started)
        end = min(ends)
        keep_going = end == self.today and not (c.lost and c.lost <= end) and not c.pool_from and not c.silent_from
        return end, keep_going

    def complete(self, c: Customer, until: date | None = None) -> None:
        """realize + process visits + follow-ups, for a scheduled customer."""
        self.realize(c, until)
        self.process_visits(c, until)
        end, keep_going = self.sales_end(c)
        if until:
            end, keep_going = min(end, until), False
        self.follow_ups(c, end, keep_going)

    # --- ownership ------------------------------------------------------------------------

    def reassign(self, c: Customer, day: date, new_owner: str, reason: str, by: str = D.DIRECTOR):
        c.owner_history.append((new_owner, day, by, reason))

    # --- complaints -------------------------------------------------------------------

    def complaint(self, c: Customer, received: datetime, category: str | None = None) -> Complaint:
        rng = self.rng
        t = Complaint(c, received)
        self.order += 1
        t.order = self.order
        built = c.plan.get("construction_started") and c.plan["construction_started"] <= received.date()
        if category is None:
            category = wchoice(rng, (("工程质量", 30), ("工期", 20), ("材料", 15), ("服务态度", 10),
                                     ("服务效率", 10), ("专业素质", 5), ("其他", 5))) if built else \
                wchoice(rng, (("服务态度", 35), ("服务效率", 30), ("专业素质", 25), ("其他", 10)))
        t.category = self.V.check("complaintCategory", category)
        t.channel = self.V.check("complaintChannel", wchoice(rng, (("电话", 45), ("到店", 20), ("网络", 20), ("邮件", 5), ("其他", 10))))
        owner = c.owner_at(received.date())
        texts = {
            "工程质量": (("卫生间闭水试验后楼下渗水，要求返工", "工程部", None),
                     ("客厅墙面乳胶漆开裂、起皮", "工程部", None),
                     ("地砖空鼓十余块，客户要求全部重铺", "工程部", None),
                     ("巡检未发现吊顶龙骨间距过大，客户自行发现", "品控中心", D.QC)),
            "工期": (("水电完工后工地连续五天没有工人", "工程部", None),
                   ("合同约定工期已超过两周仍未完工", "工程部", None),
                   ("瓷砖到货延迟导致泥工停工一周", "工程部", None)),
            "材料": (("进场的地板型号与合同不符", "工程部", None), ("橱柜台面颜色与样板不一致", "工程部", None),
                   ("客户怀疑板材环保等级不达标，要求出具检测报告", "工程部", None)),
            "服务态度": (("客户经理多次不回微信，态度敷衍", "市场拓展部", owner),
                     ("设计师沟通时不耐烦，客户感觉不被尊重", "设计部", c.designer),
                     ("工人在现场吸烟，被提醒后态度恶劣", "工程部", None)),
            "服务效率": (("设计方案修改等了一周还没有结果", "设计部", c.designer),
                     ("报修后三天没有人上门", "客户服务部", None),
                     ("量房后迟迟不出方案", "设计部", c.designer)),
            "专业素质": (("设计师对承重墙改造的说法前后矛盾", "设计部", c.designer),
                     ("报价单漏项，签约后又要求增项", "市场拓展部", owner)),
            "其他": (("对付款节点的安排有异议", "市场拓展部", owner), ("邻居投诉施工噪音，客户要求协调作业时间", "工程部", None)),
        }[category]
        text, dept, who = rng.choice(texts)
        if who == "pool":
            who = None
        t.description = text
        t.against = (dept, who)
        t.handler = rng.choice(D.SERVICE)
        self.complaints.append(t)
        return t

    def handle_on_time(self, t: Complaint) -> None:
        """Investigate the same day, reply within a working day, resolve within two; open
        statuses for complaints received in the last working days."""
        rng = self.rng
        today = self.today
        day = t.received_at.date()
        age = workdays_between(day, today)
        start = t.received_at + timedelta(minutes=rng.randint(20, 180))
        if start.date() != day:
            start = datetime.combine(day, time(17, 50))
        if age == 0 and rng.random() < 0.5:
            t.status = "受理"
            return
        t.investigation_started_at = start
        if age == 0 or (age == 1 and rng.random() < 0.5):
            t.status = "调查中"
            return
        reply_day = day if rng.random() < 0.4 else add_workdays(day, 1)
        t.replied_at = max(start + timedelta(hours=1), datetime.combine(reply_day, time(rng.randint(10, 17), rng.randrange(60))))
        if age <= 2:
            t.status = "已答复"
            return
        if rng.random() < 0.2:
            e1 = t.replied_at + timedelta(minutes=rng.randint(30, 120))
            t.escalations.append(("部门经理", e1, t.handler, "客户对初步答复不满意，上报部门经理"))
            if rng.random() < 0.35:
                e2 = datetime.combine(add_workdays(day, 1) if reply_day == day else add_workdays(day, 1),
                                      time(rng.randint(9, 11), rng.randrange(60)))
                if e2 > e1:
                    t.escalations.append(("品控中心", e2, t.handler, "部门经理处理后客户仍不满意，上报品控中心"))
        resolve_day = add_workdays(day, rng.choice((1, 2, 2)))
        resolved = datetime.combine(resolve_day, time(rng.randint(13, 17), rng.randrange(60)))
        last = max([t.replied_at] + [e[1] for e in t.escalations])
        if resolved <= last:
            resolved = last + timedelta(hours=1)
        t.resolved_at = resolved
        t.resolution = {
            "工程质量": "安排工程部返工修复，品控复查合格，客户确认", "工期": "调整施工班组并承诺完工日期，延误部分按合同补偿",
            "材料": "更换为合同约定的材料，并向客户出示质检报告", "服务态度": "相关人员向客户道歉，部门内部通报",
            "服务效率": "指定专人跟进并承诺处理时限，已按时完成", "专业素质": "由主任设计师复核方案，书面答复客户",
            "其他": "与客户协商后调整安排，客户同意",
        }[t.category]
        f = next_workday(resolved.date() + DAY * rng.randint(1, 5))
        if f > today:
            f = today
        fat = datetime.combine(f, time(rng.randint(10, 17), rng.randrange(60)))
        if fat <= resolved:
            fat = resolved + timedelta(hours=2)
        satisfied = rng.random() < 0.9
        t.follow_up = (fat, rng.choice(D.SERVICE), satisfied,
                       rng.choice(("对处理结果满意", "问题已解决，感谢及时处理", "基本满意，希望以后注意"))
                       if satisfied else "对处理结果基本接受，但认为拖得太久")
        t.status = "已关闭" if satisfied and (today - f).days >= 3 else "已解决"


# --- the baseline --------------------------------------------------------------------------

def registration_times(w: World, n: int) -> list[datetime]:
    rng = w.rng
    span = (w.today - w.start).days
    out = []
    for _ in range(n):
        # the company grows: half of the customers spread evenly, half weighted to recent months
        u = rng.random()
        if rng.random() < 0.5:
            u = u ** 0.5
        d = w.start + DAY * min(span - 1, int(u * span))
        out.append(datetime.combine(d, time(rng.randint(9, 20), rng.randrange(60))))
    out.sort()
    return out


def baseline(w: World, n: int, complaints_target: int) -> None:
    rng = w.rng
    today = w.today
    times = registration_times(w, n)
    wang_fang_at = datetime(2025, 3, 4, 10, 30)
    wang_fang_index = None
    if w.start <= wang_fang_at.date() < today and times:
        wang_fang_index = min(range(len(times)), key=lambda i: abs(times[i] - wang_fang_at))
        times[wang_fang_index] = wang_fang_at
    n_pool = max(3, n // 100) if n >= 50 else 0
    pool_slots = set()
    candidates = [i for i, t in enumerate(times) if 120 <= (today - t.date()).days <= 400 and i != wang_fang_index]
    if candidates and n_pool:
        pool_slots = set(rng.sample(candidates, min(n_pool, len(candidates))))
    for i, reg in enumerate(times):
        if i == wang_fang_index:
            c = w.new_customer(reg, "liuyang", community=next(x for x in D.COMMUNITIES if x[0] == "万科城市花园"),
                               house_type="普通", area=96, grade="B")
            c.name, c.gender, c.condition, c.budget, c.style = "王芳", "女", "毛坯", 18.0, "现代简约"
            c.address = "闵行区七莘路3333弄12号601室"
            c.channel, c.referrer, c.intermediary = "小区推广", None, None
            c.designer = "chenjing"
            w.used_phones.add("13916052231")
            c.phones = ["13916052231"]
            w.schedule(c, outcome="sign", pause=0)
        else:
            c = w.new_customer(reg)
            if i in pool_slots:
                w.schedule(c, outcome="sign", pause=0)
                c.pool_from = c.plan["preplan_delivered"] + DAY * rng.randint(3, 20)
            else:
                w.schedule(c)
        if c.pool_from:
            quiet = c.pool_from
            # went cold after the pre-plan: nothing else was reached
            c.plan = {k: c.plan[k] for k in ("first_consult", "preplan_delivered")}
            c.lost = None
            released = quiet + DAY * (RECLAIM_AFTER[c.grade] + rng.randint(2, 12))
            if released >= today:
                released = today - DAY * 3
            w.reassign(c, released, "pool", f"超过{RECLAIM_AFTER[c.grade]}天无销售跟进，收回公海")
        elif i != wang_fang_index and rng.random() < 0.03:
            # the director moves a customer to another manager mid-way
            last = min([today - DAY * 5] + [d for d in (c.lost, c.plan.get("construction_started")) if d])
            first = reg.date() + DAY * 10
            if last > first:
                day = first + DAY * rng.randrange((last - first).days)
                new = rng.choice([m for m in D.MANAGERS if m not in (c.registered_by, D.LEAVER)])
                w.reassign(c, day, new, rng.choice(("客户要求更换客户经理", "原客户经理工作量过大，调整分配", "客户搬迁，就近分配")))
        w.complete(c)
        if c.budget >= 60 and c.grade == "A" and rng.random() < 0.08:
            c.locked = True
    # confidentiality: a few well-known customers
    villas = [c for c in w.customers if c.house_type == "别墅" and not c.pool_from]
    for c in villas[:3]:
        c.confidentiality = "机密"
        c.notes = "客户为知名企业家，资料仅限项目组查阅"
    if len(villas) > 3:
        villas[3].confidentiality = "绝密"
        villas[3].notes = "公众人物，经市场总监批准列为绝密，不得对外透露任何信息"
    for c in w.customers[5::97]:
        if c.confidentiality is None:
            c.confidentiality = "秘密"
    leaver_goes(w)
    # complaints inside the deadlines
    weights = []
    for c in w.customers:
        if c.pool_from:
            weights.append(0.2)
        elif c.plan.get("construction_started") and c.plan["construction_started"] <= today:
            weights.append(6.0)
        elif c.plan.get("deposit_paid") and c.plan["deposit_paid"] <= today:
            weights.append(1.5)
        else:
            weights.append(0.6)
    made, seen = 0, set()
    draws = rng.choices(range(len(w.customers)), weights=weights, k=3 * complaints_target) if w.customers else []
    for index in draws:
        if made >= complaints_target:
            break
        c = w.customers[index]
        if index in seen or c.no_refs:
            continue
        seen.add(index)
        built = c.plan.get("construction_started")
        if built and built <= today:
            lo, hi = built, min(today, c.plan.get("completed", today) + DAY * 60)
        else:
            lo, hi = c.reg_dt.date() + DAY, min(today, c.lost or today, c.pool_from or today)
        if hi <= lo:
            continue
        day = next_workday(lo + DAY * rng.randrange((hi - lo).days + 1))
        if day > today or day <= c.reg_dt.date():
            continue
        t = w.complaint(c, datetime.combine(day, time(rng.randint(9, 16), rng.randrange(60))))
        w.handle_on_time(t)
        made += 1
    # two open complaints on customers under construction now, so every status shows up
    building = [c for i, c in enumerate(w.customers) if c.stage == "施工" and i not in seen]
    for c, back in zip(building[:2], (0, 1)):
        day = today
        for _ in range(back):
            day -= DAY
            while not is_workday(day):
                day -= DAY
        if not is_workday(day):
            continue
        t = w.complaint(c, datetime.combine(day, time(9, rng.randrange(10, 50))), "工期")
        w.handle_on_time(t)


def leaver_goes(w: World) -> None:
    """徐磊 leaves the day before today: the director hands every customer of his to others."""
    rng = w.rng
    day = w.leaver_left
    others = [m for m in D.MANAGERS if m != D.LEAVER]
    for c in w.customers:
        if c.owner_at(w.today) != D.LEAVER or c.frozen:
            continue
        new = rng.choice(others)
        w.reassign(c, day, new, "原客户经理徐磊离职，客户重新分配")
        for v in c.visits:
            if v.staff == D.LEAVER and v.at.date() >= day:
                v.staff = new


def monthly_minimum(w: World) -> None:
    """Top up the visits of the last full month to what each grade requires (K403)."""
    rng = w.rng
    first = (w.today.replace(day=1) - DAY).replace(day=1)
    last = w.today.replace(day=1) - DAY
    for c in w.customers:
        need = VISITS_PER_MONTH[c.grade]
        if not need or c.frozen or c.no_refs or c.reg_dt.date() >= last:
            continue
        if c.stage == "流失" or c.owner_at(w.today) == "pool" or (c.lost and c.lost <= last):
            continue
        have = sum(1 for v in c.visits if first <= v.at.date() <= last and v.counts)
        lo = max(first, c.reg_dt.date() + DAY)
        for _ in range(need - have):
            d = lo + DAY * rng.randrange((last - lo).days + 1)
            w.filler(c, d)

