# WeComply on the official Airflow image, with our lock installed (the same pins as `make`).
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:root requirements.txt /opt/wecomply/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r /opt/wecomply/requirements.txt

# The package is also installed (not only mounted) so Airflow finds its provider entry
# point, which gives the WeCom connection form labelled fields.
COPY --chown=airflow:root pyproject.toml README.md /opt/wecomply/
COPY --chown=airflow:root plugins/wecomply /opt/wecomply/plugins/wecomply
COPY --chown=airflow:root tools /opt/wecomply/tools
RUN pip install --no-cache-dir --no-deps --no-build-isolation /opt/wecomply
