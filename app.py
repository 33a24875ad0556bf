"""Deal Cockpit: page config and navigation over the screens.

Each screen starts with `ui.page_start()`, which draws the sidebar (deal picker) itself: Streamlit's
AppTest re-runs only the page script after the first run, so the sidebar must belong to the page.
"""

import streamlit as st

st.set_page_config(page_title="Deal Cockpit", page_icon=":material/target:", layout="wide")

pages = [
    st.Page("pages/prepare.py", title="Prepare", icon=":material/checklist:", default=True),
]
st.navigation(pages).run()
