-- Aggregates kept by the ingestion service, one row per entity. Counts are event counts; times are
-- event times (from the line), not arrival times. Tables updated every batch leave room on each
-- page (fillfactor) so an update can stay on its page (HOT) and skip the index updates.
CREATE TABLE users (
  user_id          bigint PRIMARY KEY,
  first_seen       timestamptz NOT NULL,
  last_seen        timestamptz NOT NULL,
  watch_events     bigint NOT NULL DEFAULT 0,
  rate_events      bigint NOT NULL DEFAULT 0,
  recommend_events bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);

-- Movies seen in watch or rate events (recommendation results do not count as seen).
CREATE TABLE movies (
  movie_id     text PRIMARY KEY,
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  watch_events bigint NOT NULL DEFAULT 0,
  rate_events  bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);

-- The distinct minutes a user watched of a movie, kept as a sorted set so that watching (or
-- replaying) the same minute again never counts it twice.
CREATE TABLE watch_progress (
  user_id         bigint NOT NULL,
  movie_id        text NOT NULL,
  first_watched   timestamptz NOT NULL,
  last_watched    timestamptz NOT NULL,
  minutes         integer[] NOT NULL,
  minutes_watched integer GENERATED ALWAYS AS (cardinality(minutes)) STORED,
  max_minute      integer NOT NULL,
  watch_events    bigint NOT NULL,
  PRIMARY KEY (user_id, movie_id)
) WITH (fillfactor = 80);

-- Latest rating per user and movie (latest event time; on a tie the later event in the stream).
CREATE TABLE user_ratings (
  user_id     bigint NOT NULL,
  movie_id    text NOT NULL,
  rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  rated_at    timestamptz NOT NULL,
  rate_events bigint NOT NULL,
  PRIMARY KEY (user_id, movie_id)
) WITH (fillfactor = 80);

-- Every rating event counted per movie and value.
CREATE TABLE movie_rating_counts (
  movie_id text NOT NULL,
  rating   smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  events   bigint NOT NULL,
  PRIMARY KEY (movie_id, rating)
) WITH (fillfactor = 80);

-- Recommendation requests per hour (UTC), recommender host and status.
CREATE TABLE recommendation_requests_hourly (
  hour           timestamptz NOT NULL,
  host           text NOT NULL,
  status         smallint NOT NULL,
  requests       bigint NOT NULL,
  latency_ms_sum bigint NOT NULL,
  latency_ms_min integer NOT NULL,
  latency_ms_max integer NOT NULL,
  results_sum    bigint NOT NULL,
  PRIMARY KEY (hour, host, status)
) WITH (fillfactor = 80);

-- Lines that failed to parse; unique per Kafka coordinate so a replay cannot duplicate them.
CREATE TABLE dead_letters (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  partition    integer NOT NULL,
  kafka_offset bigint NOT NULL,
  reason       text NOT NULL,
  detail       text NOT NULL,
  raw_text     text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic, partition, kafka_offset)
);

-- The source of truth for progress: written in the same transaction as the aggregates.
CREATE TABLE ingestion_offsets (
  consumer_group text NOT NULL,
  topic          text NOT NULL,
  partition      integer NOT NULL,
  last_offset    bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);
