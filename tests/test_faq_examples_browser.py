"""The explorer's FAQ view shows an entry's examples under "Also asked as" (in Chromium)."""

from playwright.sync_api import expect

from .test_browser import browser, by_slug, explorer, site  # noqa: F401 (fixtures)

SLUG = "what-is-kubernetes-used-for"


def test_an_opened_faq_folds_its_examples_under_also_asked_as(explorer):  # noqa: F811
    faq = by_slug("faqs")[SLUG]
    page = explorer.page
    box = page.get_by_role("combobox", name="Your question")
    box.press_sequentially(faq["question"][:20], delay=40)
    option = page.get_by_role("listbox", name="Suggestions").get_by_role(
        "option", name=faq["question"]
    )
    option.click()
    view = page.locator("#answer .faq")
    expect(view.locator("h3")).to_have_text(faq["question"])
    examples = view.locator("details.examples")
    expect(examples.locator("summary")).to_have_text("Also asked as")
    examples.locator("summary").click()
    expect(examples.get_by_role("listitem")).to_have_text(faq["examples"])
    assert explorer.problems == []
