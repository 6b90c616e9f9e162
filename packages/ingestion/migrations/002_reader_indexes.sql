-- Indexes for the replica's readers (training snapshot, dashboards): by movie, by recency, by reason.
CREATE INDEX watch_progress_movie_id_idx ON watch_progress (movie_id);
CREATE INDEX user_ratings_movie_id_idx ON user_ratings (movie_id);
CREATE INDEX users_first_seen_idx ON users (first_seen);
CREATE INDEX movies_first_seen_idx ON movies (first_seen);
CREATE INDEX dead_letters_received_at_idx ON dead_letters (received_at);
