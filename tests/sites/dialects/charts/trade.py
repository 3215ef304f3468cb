import altair as alt

from broadsheet import chart


@chart("trade", data=["nk-trade"])
def trade(nk_trade):
    # The build fails (and the test with it) unless the frame holds parsed values.
    assert str(nk_trade["month"].dtype).startswith("datetime64"), nk_trade.dtypes
    assert str(nk_trade["reported_at"].dtype).startswith("datetime64"), nk_trade.dtypes
    assert str(nk_trade["exports_usd"].dtype) == "Int64", nk_trade.dtypes
    assert list(nk_trade["exports_usd"].fillna(-1)) == [35361, -1, 1234567]
    assert nk_trade["share"].isna().tolist() == [False, True, False]
    assert nk_trade["share"][2] == 7.5
    assert str(nk_trade["reported_at"][1]) == "2012-03-05 09:00:00"  # +09:00, in UTC
    return alt.Chart(nk_trade).mark_line().encode(x="month:T", y="exports_usd:Q")
