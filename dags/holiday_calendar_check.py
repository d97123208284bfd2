"""
### 节假日日历检查 · Holiday calendar check

**为什么 / Why:** 期限按工作日计算，免打扰按工作时间计算，都依赖国务院每年的节假日安排
（含调休）。chinesecalendar 包收录新一年的安排，可能晚于新年开始；在此之前，公司可以把通知填入
`include/policy.yaml` 的 `calendar.official_notices`。两者都没有的年份只按周一至周五计算
（法定节假日除外），补假、连休与调休都会算错。

**每个工作日 10:00（北京时间）检查 / checks every weekday at 10:00 Asia/Shanghai:**
1. 今年，以及从 11 月起的明年，是否已有法定节假日与调休数据（包或策略文件）。
2. 缺少时，在企业微信提醒 HR 与行政（策略中的 roles.hr、roles.admin）：11 月每月一次
   （通知可能尚未发布），12 月起及新年已开始时每周一次，直到录入为止。非工作时间不发送；
   重试或清除不会重复提醒（发件箱按 年份/周期 去重）。
3. 录入通知后，把读到的放假与调休上班日期发给 HR 与行政一次，供与通知原文核对；通知修改后再发一次。

Deadlines count working days and quiet hours follow working time, and both depend on the
State Council's yearly holiday notice. A year that neither chinesecalendar nor the policy
(`calendar.official_notices`) counts Monday to Friday less the statutory days off, without
the substitute days, bridging days or make-up working days, so this DAG tells HR and
admin in WeCom: once in November, then weekly from December until the notice is entered.
Once it is, they get the days read from it once (again after a correction), to check
against the published text.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args


@dag(
    dag_id="holiday_calendar_check",
    dag_display_name="节假日日历检查 · Holiday calendar check",
    schedule=CronTriggerTimetable("0 10 * * 1-5", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.OPERATIONS],
    doc_md=__doc__,
)
def holiday_calendar_check():
    @task(task_display_name="检查节假日数据并提醒 · Check official days, remind HR")
    def check_official_days(**context) -> dict:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.calendar_upkeep import run_calendar_check

        return run_calendar_check(run_context(context))

    check_official_days()


holiday_calendar_check()
