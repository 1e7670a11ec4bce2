/** google.protobuf.Timestamp as the gRPC loader decodes it (int64 seconds as a number). */
export interface ProtoTimestamp {
  seconds: number;
  nanos: number;
}

export function toProtoTimestamp(date: Date): ProtoTimestamp {
  const millis = date.getTime();
  const seconds = Math.floor(millis / 1000);
  return { seconds, nanos: (millis - seconds * 1000) * 1_000_000 };
}

export function fromProtoTimestamp(timestamp: ProtoTimestamp): Date {
  return new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1_000_000));
}
