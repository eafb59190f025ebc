extension TopicFilter {
    /// Whether a PUBLISH to `topicName` matches this filter (MQTT 5.0 §4.7).
    ///
    /// A shared subscription matches with the filter after its ShareName. The subscription tree
    /// routes without calling this; it is the reference the tree is tested against, and what a
    /// caller holding a handful of filters (bridge mappings, ACL rules) uses directly.
    public func matches(topicName: String) -> Bool {
        Self.matches(filter: filter, topicName: topicName)
    }

    /// Matches a filter (without share prefix, assumed valid) against a topic name, byte by byte.
    ///
    /// - `+` matches exactly one level, which may be empty (§4.7.1.3).
    /// - `#` matches any number of levels, including none: `sport/#` matches `sport` (§4.7.1.2).
    /// - Topic names starting with `$` are not matched by filters starting with a wildcard
    ///   (MQTT-4.7.2-1).
    static func matches(filter: some StringProtocol, topicName: String) -> Bool {
        filter.withUTF8Bytes { filter in
            topicName.withUTF8Bytes { topic in
                matches(filter: filter, topic: topic)
            }
        }
    }

    static func matches(filter: UnsafeBufferPointer<UInt8>, topic: UnsafeBufferPointer<UInt8>) -> Bool {
        // MQTT-4.7.2-1: `#`, `+` and `+/…` do not match `$SYS/…`.
        if let first = topic.first, first == TopicByte.dollar,
            let filterFirst = filter.first, filterFirst == TopicByte.plus || filterFirst == TopicByte.hash
        {
            return false
        }
        var filterIndex = 0
        var topicIndex = 0
        // Set once the last topic level was consumed while filter levels remain.
        var topicExhausted = false
        while true {
            let filterEnd = endOfLevel(in: filter, from: filterIndex)
            let isHash = filterEnd - filterIndex == 1 && filter[filterIndex] == TopicByte.hash
            if isHash {
                // Matches the remaining levels, or the parent level alone when none remain.
                return true
            }
            if topicExhausted {
                return false
            }
            let topicEnd = endOfLevel(in: topic, from: topicIndex)
            let isPlus = filterEnd - filterIndex == 1 && filter[filterIndex] == TopicByte.plus
            if !isPlus {
                guard filterEnd - filterIndex == topicEnd - topicIndex else { return false }
                var offset = 0
                while filterIndex + offset < filterEnd {
                    guard filter[filterIndex + offset] == topic[topicIndex + offset] else { return false }
                    offset += 1
                }
            }
            let lastFilterLevel = filterEnd == filter.count
            let lastTopicLevel = topicEnd == topic.count
            if lastFilterLevel {
                return lastTopicLevel
            }
            filterIndex = filterEnd + 1
            if lastTopicLevel {
                topicExhausted = true
            } else {
                topicIndex = topicEnd + 1
            }
        }
    }

    /// The index of the `/` ending the level that starts at `start`, or `bytes.count`.
    @inline(__always)
    static func endOfLevel(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count && bytes[index] != TopicByte.slash {
            index += 1
        }
        return index
    }
}
