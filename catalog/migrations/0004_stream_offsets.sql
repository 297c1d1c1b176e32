-- Streams' landed positions (lakegate.StreamOffset): for each partition of
-- a Kafka topic or the collector's log, the next offset not yet landed.
-- A commit advances a row only from the offset it holds (checked under the
-- catalog version row's lock), so two ingests cannot land one message.
CREATE TABLE lakegate.stream_offsets (
    stream      text   NOT NULL,
    partition   int    NOT NULL,
    from_offset bigint NOT NULL, -- first offset of the batch that landed last
    next_offset bigint NOT NULL,
    version     bigint NOT NULL, -- catalog version of that commit
    PRIMARY KEY (stream, partition)
);
