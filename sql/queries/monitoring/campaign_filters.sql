-- Campaigns as the exports take them for filtering.

-- name: get_campaign_exists :scalar
-- Whether a campaign of this id exists (closed ones too: their figures stay readable).
SELECT count(*) > 0 FROM campaigns WHERE id = $id;
