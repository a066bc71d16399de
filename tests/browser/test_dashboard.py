"""The operator dashboard in headless Chromium (Debian's, driven by Playwright) against the real platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from services.launcher import Platform
from services.seed import load_seed
from tests.api_client import Api
from tests.e2e.world import expect as created
from tests.e2e.world import item_body, unique, warehouse_body
from tests.platform import issue_token

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def token(platform: Platform) -> str:
    seeder = issue_token(platform, "admin", user="seed")
    assert load_seed(platform.url, seeder).problems == []
    return issue_token(platform, "commander", user="duty-officer")


def depot_and_item(platform: Platform) -> tuple[str, str]:
    """A new warehouse and a new item with no stock anywhere yet."""
    admin = Api(platform.url, issue_token(platform))
    warehouse, item = unique("depot"), unique("rope")
    created(admin.post("/warehouses", warehouse_body(warehouse)))
    created(admin.post("/items", item_body(item)))
    return warehouse, item


def signed_in(browser: Browser, platform: Platform, token: str, width: int = 1280) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.goto(f"{platform.url}/?refresh=1")
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#who")).to_contain_text("duty-officer")
    return page


def test_the_dashboard_shows_the_seed_in_chinese_and_switches_to_english(
    browser: Browser, platform: Platform, token: str
) -> None:
    page = signed_in(browser, platform, token)
    expect(page.locator("header h1")).to_have_text("安备 · 金安区应急指挥")
    page.click("[data-tab=stock]")
    expect(page.locator("[data-item=woven-sandbags]")).to_contain_text("编织袋")
    expect(page.locator("[data-item=woven-sandbags] .total")).to_have_text("290,000")
    page.click("#lang")
    expect(page.locator("header h1")).to_have_text("Anbei · Jin'an emergency command")
    expect(page.locator("[data-item=woven-sandbags]")).to_contain_text("woven sandbags")
    page.click("[data-tab=readiness]")
    expect(page.locator("#readiness")).to_contain_text("Lu'an Longma")
    page.click("[data-tab=overview]")
    expect(page.locator("#overview")).to_contain_text("Team readiness")
    page.screenshot(path=str(platform.log_dir / "dashboard.png"), full_page=True)
    page.close()


def test_the_picture_draws_the_seeded_townships_and_the_overview_who_is_available(
    browser: Browser, platform: Platform, token: str
) -> None:
    page = signed_in(browser, platform, token)
    expect(page.locator("#people-available")).to_contain_text("各能力可用人数")
    expect(page.locator("#stale-teams")).to_be_visible()
    page.click("[data-tab=picture]")
    seats = page.locator("#picture-map g[data-kind=township]")
    expect(seats.first).to_be_attached()
    assert seats.count() >= 22  # the seed's townships and subdistricts, each at its seat
    expect(page.locator("#picture-map g[data-id=maotanchang] title")).to_contain_text("毛坦厂镇")
    page.close()


def test_a_receipt_made_through_the_api_appears_without_a_reload(
    browser: Browser, platform: Platform, token: str
) -> None:
    warehouse, item = depot_and_item(platform)
    page = signed_in(browser, platform, token)
    page.click("[data-tab=stock]")
    total = page.locator(f"[data-item={item}] .total")
    expect(total).to_have_text("0")
    page.evaluate("window.__not_reloaded = true")
    receipt = Api(platform.url, token).post(f"/warehouses/{warehouse}/movements",
                                            {"kind": "receipt", "item_id": item, "quantity": 1234})
    assert receipt.status_code == 201, receipt.text
    expect(total).to_have_text("1,234", timeout=15_000)
    assert page.evaluate("window.__not_reloaded") is True
    page.close()


def test_a_keeper_records_a_movement_with_the_form_on_a_phone(
    browser: Browser, platform: Platform
) -> None:
    warehouse, item = depot_and_item(platform)
    keeper = issue_token(platform, "warehouse_keeper", user="duty-officer", warehouses=(warehouse,))
    page = signed_in(browser, platform, keeper, width=390)
    page.click("[data-tab=forms]")
    form = page.locator("#movement-form")
    expect(form.locator(f"option[value={item}]")).to_have_count(1)
    form.locator("[name=warehouse_id]").select_option(warehouse)
    form.locator("[name=item_id]").select_option(item)
    form.locator("[name=quantity]").fill("40")
    form.locator("button[type=submit]").click()
    expect(form.locator(".result")).to_have_text("已保存")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    levels = Api(platform.url, keeper).get(f"/warehouses/{warehouse}/stock").json()["items"]
    assert [(level["item_id"], level["on_hand"]) for level in levels] == [(item, 40)]
    page.close()


def test_a_wrong_token_keeps_the_login_form_with_a_message(browser: Browser, platform: Platform) -> None:
    page = browser.new_page()
    page.goto(platform.url)
    page.fill("#token", "anb.nobody.wrong")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("令牌无效或已撤销")
    expect(page.locator("#tabs")).to_be_hidden()
    page.close()
