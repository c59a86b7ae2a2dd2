"""Shared pieces of the browser test and the dashboard bench: a `kpi serve`
process on a loopback port, HTTP calls with a bearer token, and a headless
Debian Chromium driven through Selenium (chromium-driver, python3-selenium).

SKIP (exit 77, ctest's skip code) only where Chromium, its driver or Selenium
is not installed; anything else that fails is a failure."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

SKIP = 77
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


def skip_unless_browser():
    missing = [p for p in (CHROMIUM, DRIVER) if not os.access(p, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        print("SKIP: the browser test needs Debian's chromium, chromium-driver and python3-selenium "
              "(bash .ci/setup installs them); missing: " + ", ".join(missing))
        sys.exit(SKIP)


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)


class Server:
    """`kpi serve --db DB --listen 127.0.0.1:0 --tokens FILE`, stopped with SIGTERM."""

    def __init__(self, kpi, db, tokens_file, extra=()):
        self.proc = subprocess.Popen([kpi, "serve", "--db", db, "--listen", "127.0.0.1:0", "--tokens", tokens_file,
                                      *extra], stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        self.base = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
            if m:
                self.base = "http://" + m.group(1)
                break
        if self.base is None:
            self.proc.kill()
            raise RuntimeError("kpi serve did not start")

    def call(self, method, path, token, body=None, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def query(self, token, statement):
        status, doc = self.call("POST", "/v1/query", token, json.dumps({"query": statement}))
        if status != 200:
            raise AssertionError("POST /v1/query %s -> %s %s" % (statement, status, doc))
        return doc

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def browser(width=1400, height=900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=%d,%d" % (width, height), "--force-device-scale-factor=1",
                "--disable-extensions", "--no-first-run", "--lang=en-US"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def wait_for(driver, script, timeout=60, what="condition"):
    """Polls a JS expression until it is truthy; returns its value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script("return " + script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what + ": " + script)


def sign_in(driver, base, token):
    from selenium.webdriver.common.by import By
    driver.get(base + "/#/query")
    wait_for(driver, "document.getElementById('token') || document.getElementById('query-input')", what="sign-in form")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, "document.getElementById('query-input')", what="the query page after sign-in")


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path
