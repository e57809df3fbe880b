"""The stored card: what a search result card shows from tables other than the
service's own, kept on ``Service.card`` by refresh_search_index with the search
columns (see cards.py, which reads it). Migration 0017 fills the cards of the
services listed before with this same SQL: a change here must still run on that
migration's tables, or freeze a copy there."""

# The stored card of the service whose id is ``s.id``: its first phone (its own,
# else a site's), the addresses of its sites with their coordinates (by site name),
# its weekly openings and its sites' (days, times), and its types' names in
# English and in Spanish (the English while a type has none), each list in the
# database's order.
STORED_CARD_SQL = """
jsonb_build_object(
  'phone', coalesce(
    (SELECT p.number FROM directory_phone p
      WHERE p.service_id = s.id ORDER BY p.id LIMIT 1),
    (SELECT p.number FROM directory_phone p
       JOIN directory_serviceatlocation sl ON sl.id = p.service_at_location_id
      WHERE sl.service_id = s.id ORDER BY p.id LIMIT 1)
  ),
  'addresses', coalesce((
    SELECT jsonb_agg(jsonb_build_object(
             'city', a.city, 'state', a.state_province, 'postal_code', a.postal_code,
             'latitude', l.latitude, 'longitude', l.longitude
           ) ORDER BY l.name, a.id)
      FROM directory_serviceatlocation sl
      JOIN directory_location l ON l.id = sl.location_id
      JOIN directory_address a ON a.location_id = l.id
     WHERE sl.service_id = s.id
  ), '[]'::jsonb),
  'hours', coalesce((
    SELECT jsonb_agg(jsonb_build_object(
             'days', upper(h.byday), 'opens_at', h.opens_at, 'closes_at', h.closes_at
           ))
      FROM (
        SELECT h.byday, h.opens_at, h.closes_at FROM directory_schedule h
         WHERE h.service_id = s.id
           AND upper(h.freq) = 'WEEKLY' AND h.opens_at IS NOT NULL
        UNION ALL
        SELECT h.byday, h.opens_at, h.closes_at FROM directory_schedule h
          JOIN directory_serviceatlocation sl ON sl.id = h.service_at_location_id
         WHERE sl.service_id = s.id
           AND upper(h.freq) = 'WEEKLY' AND h.opens_at IS NOT NULL
      ) h
  ), '[]'::jsonb),
  'types', jsonb_build_object(
    'en', coalesce((
      SELECT jsonb_agg(shown.name ORDER BY shown.name) FROM (
        SELECT coalesce(t.name_en, t.name) AS name
          FROM directory_taxonomyterm t
          JOIN directory_service_taxonomy_terms st ON st.taxonomyterm_id = t.id
         WHERE st.service_id = s.id
      ) shown
    ), '[]'::jsonb),
    'es', coalesce((
      SELECT jsonb_agg(shown.name ORDER BY shown.name) FROM (
        SELECT coalesce(nullif(t.name_es, ''), t.name_en, t.name) AS name
          FROM directory_taxonomyterm t
          JOIN directory_service_taxonomy_terms st ON st.taxonomyterm_id = t.id
         WHERE st.service_id = s.id
      ) shown
    ), '[]'::jsonb)
  )
)
"""
