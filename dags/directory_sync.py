"""
### 通讯录同步 · WeCom directory sync

**制度依据 / Policy:** v1 §2.2, v2 §3.1 — HR 及时维护员工信息；离职、调岗的账号须及时处理。

**每个工作日 08:30（北京时间）运行 / runs 08:30 Asia/Shanghai on working days:**
1. 非工作日（按国务院节假日安排，含调休上班的周六）直接跳过。
2. 用通讯录同步 Secret（连接 `wecom_contacts`）读取全部部门与成员：`department/list`、
   `user/list_id` 分页、每个部门一次 `user/list`。
3. 批量写入记录库，识别入职、离职、调岗；花名册（HR）字段不被覆盖。
4. 发布资产 `wecomply_directory`，账号检查随后运行。

重试、清除（Clear）或补跑同一逻辑时间已完成同步的运行时，沿用该次同步的记录，不再读取企业微信：
记录反映的是当次运行时的通讯录。如需重新读取，触发时勾选「重新读取通讯录」。

Reads every department and member through the contacts-sync secret, folds them into the
records in bulk (joined / left / moved detected; HR's roster fields are never overwritten)
and publishes the `wecomply_directory` asset, which triggers the account review. Skipped on
non-working days by China's official calendar, so 调休 Saturdays run. A retry, clear or
backfill of a run whose logical time is already synced reports that sync without reading WeCom
again, unless the form field `reread_directory` is ticked.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, assets, default_args


@dag(
    dag_id="directory_sync",
    dag_display_name="通讯录同步 · Directory sync",
    schedule=CronTriggerTimetable("30 8 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.DIRECTORY],
    doc_md=__doc__,
    params={
        "reread_directory": Param(
            False, type="boolean", title="重新读取通讯录 · Read the directory again",
            description="本次运行已同步过时，仍重新读取企业微信通讯录 / read WeCom again even if this run "
            "has already synced (a cleared or retried run otherwise reuses its recorded sync)",
        ),
    },
)
def directory_sync():
    @task.short_circuit(task_display_name="是否工作日 · Working day?")
    def working_day(**context) -> bool:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.directory import is_sync_day

        return is_sync_day(run_context(context))

    @task(task_display_name="同步部门与成员 · Sync departments and members", outlets=[assets()["directory"]])
    def sync_members(**context) -> dict:
        from wecomply.airflow_glue.hooks import WeComContactsHook
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.directory import run_directory_sync

        return run_directory_sync(
            run_context(context), WeComContactsHook().get_conn, run_id=context["run_id"],
            reread=bool(context["params"].get("reread_directory")),
        )

    working_day() >> sync_members()


directory_sync()
