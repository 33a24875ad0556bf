"""Deal Cockpit: page config and navigation over the screens in screens/.

The folder is deliberately not called `pages/`: a `pages/` folder beside the entrypoint switches
Streamlit into its legacy multipage mode whenever a new server's first visitor opens a deep link
(/concessions?deal=4). That mode runs the screen file alone, so st.navigation never runs and the
sidebar lists raw file names for every later visitor too.
Each screen starts with `ui.page_start()`, which draws the sidebar with the deal picker.
"""

import streamlit as st

st.set_page_config(page_title="Deal Cockpit", page_icon=":material/target:", layout="wide")

pages = [
    st.Page("screens/pipeline.py", title="Pipeline", icon=":material/leaderboard:", default=True),
    st.Page("screens/prepare.py", title="Prepare", icon=":material/checklist:"),
    st.Page("screens/leverage.py", title="Leverage", icon=":material/radar:"),
    st.Page("screens/concessions.py", title="Concessions", icon=":material/swap_horiz:"),
    st.Page("screens/meso.py", title="MESO", icon=":material/view_column:"),
    st.Page("screens/moves.py", title="Moves", icon=":material/route:"),
    st.Page("screens/history.py", title="History", icon=":material/history:"),
]
st.navigation(pages).run()
