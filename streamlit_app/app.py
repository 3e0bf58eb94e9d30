"""The dashboard: `streamlit run streamlit_app/app.py`. One page per view, chosen in the sidebar."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Crypto platform", page_icon="📈", layout="wide")
pages = [
    st.Page("views/markets.py", title="Markets", icon=":material/candlestick_chart:", default=True),
    st.Page("views/portfolio.py", title="Portfolio", icon=":material/account_balance_wallet:"),
    st.Page("views/news.py", title="News", icon=":material/newspaper:"),
    st.Page("views/pipeline.py", title="Pipeline", icon=":material/monitor_heart:"),
]
st.navigation(pages).run()
