/// Owns every C allocation made while lowering one message to protoc-c structs, and frees them all at once
/// when it goes away.
///
/// Lowering runs on every RPC, so this is a bump allocator: a first block on the stack (most messages fit, and
/// then lowering allocates nothing), then heap blocks of growing size chained through their first word. There is
/// no per-allocation free; nothing is touched again after the message is packed. `~Copyable` and only reachable
/// through ``withArena(_:)``, so it can't outlive the scope it was made in, and its `deinit` frees the heap blocks
/// on every path.
package struct CArena: ~Copyable {
    /// Bytes of the stack block: a message struct is tens of bytes, strings are copied in here too. At most
    /// 1 KiB, the largest `withUnsafeTemporaryAllocation` is sure to put on the stack (it took the heap for
    /// 2 KiB on Linux, a `posix_memalign` per message).
    private static let stackBlockSize = 1024
    private static let firstHeapBlockSize = 8192
    private static let maximumHeapBlockSize = 1 << 20
    /// Each heap block starts with a pointer to the previous one (the free list), padded for alignment.
    private static let blockHeaderSize = 16

    private var cursor: UnsafeMutableRawPointer
    private var remaining: Int
    private var newestHeapBlock: UnsafeMutableRawPointer?
    private var nextHeapBlockSize: Int

    private init(stackBlock: UnsafeMutableRawBufferPointer) {
        self.cursor = stackBlock.baseAddress!
        self.remaining = stackBlock.count
        self.newestHeapBlock = nil
        self.nextHeapBlockSize = Self.firstHeapBlockSize
    }

    deinit {
        var block = newestHeapBlock
        while let current = block {
            block = current.load(as: UnsafeMutableRawPointer?.self)
            current.deallocate()
        }
    }

    /// Runs `body` with a fresh arena; everything allocated from it is freed when `body` returns.
    package static func withArena<Result>(_ body: (inout CArena) -> Result) -> Result {
        withUnsafeTemporaryAllocation(byteCount: stackBlockSize, alignment: 16) { stackBlock in
            var arena = CArena(stackBlock: stackBlock)
            return body(&arena)
        }
    }

    /// Uninitialised, suitably aligned memory for `byteCount` bytes, valid until the arena goes away.
    package mutating func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let padding = Self.padding(for: cursor, alignment: alignment)
        if padding + byteCount > remaining {
            addHeapBlock(fitting: byteCount, alignment: alignment)
            return allocate(byteCount: byteCount, alignment: alignment)
        }
        let start = cursor + padding
        cursor = start + byteCount
        remaining -= padding + byteCount
        return start
    }

    /// Memory for `count` values of `T`, bound to `T`; trivial C types need no further initialisation.
    package mutating func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    private static func padding(for pointer: UnsafeMutableRawPointer, alignment: Int) -> Int {
        let misalignment = Int(bitPattern: pointer) & (alignment - 1)
        return misalignment == 0 ? 0 : alignment - misalignment
    }

    private mutating func addHeapBlock(fitting byteCount: Int, alignment: Int) {
        let needed = Self.blockHeaderSize + byteCount + alignment
        let size = max(nextHeapBlockSize, needed)
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        block.storeBytes(of: newestHeapBlock, as: UnsafeMutableRawPointer?.self)
        newestHeapBlock = block
        cursor = block + Self.blockHeaderSize
        remaining = size - Self.blockHeaderSize
        nextHeapBlockSize = min(nextHeapBlockSize * 2, Self.maximumHeapBlockSize)
    }
}
