"""Planning ahead: queue models (Erlang C and A) and the staffing plan. Plain modules; Dagster assets call them."""
