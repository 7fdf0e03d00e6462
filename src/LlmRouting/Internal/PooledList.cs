using System.Buffers;

namespace LlmRouting;

/// <summary>An append-only list backed by <see cref="ArrayPool{T}"/>, for per-request buffers on hot paths. Call <see cref="Dispose"/> to return the array.</summary>
internal sealed class PooledList<T> : IDisposable
    where T : class
{
    private T[] _items;

    public PooledList(int initialCapacity) => _items = ArrayPool<T>.Shared.Rent(initialCapacity);

    public int Count { get; private set; }

    public T this[int index] => index < Count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            T[] bigger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
            Array.Copy(_items, bigger, Count);
            ArrayPool<T>.Shared.Return(_items, clearArray: true);
            _items = bigger;
        }

        _items[Count++] = item;
    }

    public ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    public void Dispose()
    {
        T[] items = _items;
        _items = [];
        Count = 0;
        if (items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(items, clearArray: true);
        }
    }
}
