-- The records DB lives beside Airflow's metadata DB on the same server, under its own
-- role, so a WeComply task can never touch Airflow's tables.
-- The password must match POSTGRES_PASSWORD in .env (psql reads it from the environment).
\set pw `echo "$POSTGRES_PASSWORD"`
CREATE ROLE wecomply LOGIN PASSWORD :'pw';
CREATE DATABASE wecomply OWNER wecomply;
