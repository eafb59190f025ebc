/// The levels of a topic name or filter, split lazily at every `/` byte (empty levels included,
/// MQTT 5.0 §4.7.1.1), as substrings of the original string.
struct TopicLevels: Sequence {
    let text: Substring

    init(_ text: Substring) { self.text = text }

    init(_ text: String) { self.text = text[...] }

    func makeIterator() -> Iterator { Iterator(text: text, position: text.utf8.startIndex, done: false) }

    struct Iterator: IteratorProtocol {
        let text: Substring
        var position: Substring.Index
        var done: Bool

        mutating func next() -> Substring? {
            guard !done else { return nil }
            let utf8 = text.utf8
            let end = utf8[position...].firstIndex(of: TopicByte.slash) ?? utf8.endIndex
            let level = text[position..<end]
            if end == utf8.endIndex {
                done = true
            } else {
                position = utf8.index(after: end)
            }
            return level
        }
    }
}
