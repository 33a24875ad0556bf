"""A fresh server whose first visitor opens a deep link gets the right screen with the cockpit's own
navigation, and keeps the deal while moving around; a second visitor opening `/` gets the Pipeline."""

import re

from playwright.sync_api import expect

from core import ui
from tests.browser.conftest import settle

# A link's text is its material icon's name, then its title.
SCREENS = [re.compile(f"{title}$") for title in ui.SCREENS]  # the cockpit's own navigation, in order
KESSLER = "Kessler — die-cast housings should-cost"


def navigation(page):
    return page.get_by_test_id("stSidebar").get_by_role("link")


def test_a_fresh_servers_first_visitor_opens_a_deep_link_and_moves_around(browser, page):
    page.goto(f"{page.base_url}/concessions?deal=4")  # nobody has opened this server before
    expect(page.get_by_role("heading", name=f"Concessions · {KESSLER}")).to_be_visible(timeout=60_000)
    settle(page)
    expect(navigation(page)).to_have_text(SCREENS)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # Streamlit's own file list stays off
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)

    navigation(page).filter(has_text="Moves").click()
    expect(page.get_by_role("heading", name=f"Moves · {KESSLER}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/moves\?deal=4"))
    settle(page)
    navigation(page).filter(has_text="Concessions").click()
    expect(page.get_by_role("heading", name=f"Concessions · {KESSLER}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/concessions\?deal=4"))

    second = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        second.goto(page.base_url + "/")
        expect(second.get_by_role("heading", name="Pipeline · every deal, risk first")).to_be_visible(
            timeout=60_000
        )
        expect(navigation(second)).to_have_text(SCREENS)
        expect(second.get_by_test_id("stSidebarNav")).to_have_count(0)
    finally:
        second.context.close()


def test_the_navigation_carries_the_deal_and_the_screen_share_switch(page):
    page.goto(f"{page.base_url}/leverage?deal=4&safe=1")
    expect(page.get_by_role("heading", name=f"Leverage · {KESSLER}")).to_be_visible(timeout=60_000)
    settle(page)
    navigation(page).filter(has_text="Prepare").click()
    expect(page.get_by_role("heading", name=f"Prepare · {KESSLER}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/prepare\?(deal=4&safe=1|safe=1&deal=4)"))
    expect(page.get_by_text("Screen-share safe · private figures hidden")).to_be_visible()
