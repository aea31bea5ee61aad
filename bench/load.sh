#!/usr/bin/env bash
# Load test: gunicorn (via bin/serve) + PostgreSQL on 127.0.0.1, Locust headless, bounded.
#   bench/load.sh [USERS=50] [SECONDS=60] [SIZE=1000]
# Uses the benchmark database portal_bench_SIZE (bench/run.py makes it). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-50}; seconds=${2:-60}; size=${3:-1000}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal_bench_${size}"
export SECRET_KEY="bench-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')-0123456789abcdef"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SECURE_COOKIES=false DEBUG=false
export SITE_URL=http://127.0.0.1:8100
export DJANGO_SETTINGS_MODULE=compliance_portal.settings REQUIRE_TWO_FACTOR=false PORTAL_VAR_DIR="$PWD/var/bench-$size" PYTHON=.venv/bin/python
export BIND=127.0.0.1:8100 WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}
export GUNICORN_CMD_ARGS="--worker-class gthread --threads 8 --log-level warning --access-logfile /dev/null"
.venv/bin/python bench/load_accounts.py "$((users * 3 / 4 + 10))"
bin/serve > var/load-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:8100/verify/ >/dev/null && break; sleep 0.3; done
.venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8100 \
  --users "$users" --spawn-rate 10 --run-time "${seconds}s" --stop-timeout 10 \
  --only-summary --csv var/load 2>&1 | tail -25
