"""Parameters of the named queries, translated for psycopg without touching literals or comments."""

from data_layer.store.dialect import parameter_names, to_psycopg


def test_named_parameters_become_psycopg_placeholders():
    sql = "SELECT * FROM households WHERE governorate_code = $governorate AND id > $after_id"
    assert to_psycopg(sql) == (
        "SELECT * FROM households WHERE governorate_code = %(governorate)s AND id > %(after_id)s"
    )


def test_percent_signs_are_doubled_and_literals_kept():
    sql = "SELECT '$price' AS label, name ILIKE '%' || $text || '%' FROM t -- costs $cost at 10%\nWHERE x = $x"
    assert to_psycopg(sql) == (
        "SELECT '$price' AS label, name ILIKE '%%' || %(text)s || '%%' FROM t -- costs $cost at 10%%\nWHERE x = %(x)s"
    )


def test_quoted_identifiers_and_escaped_quotes_are_copied():
    sql = """SELECT "$odd" FROM t WHERE note = 'it''s $not' AND a = $a"""
    assert to_psycopg(sql) == """SELECT "$odd" FROM t WHERE note = 'it''s $not' AND a = %(a)s"""
    assert parameter_names(sql) == ["a"]


def test_parameter_names_in_order_of_first_use():
    assert parameter_names("SELECT $b, $a, $b, '$c' -- $d") == ["b", "a"]
