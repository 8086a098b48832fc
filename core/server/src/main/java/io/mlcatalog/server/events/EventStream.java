package io.mlcatalog.server.events;

import io.mlcatalog.server.model.Access;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * One subscriber's events: with {@code since}, first those after it from the change feed, then the new ones as this
 * node reads them, filtered, each once, in feed order, as fast as the subscriber asks for them.
 *
 * <p>The boundary between the two is exact: the subscriber is added to the feed's listeners and the feed's position read
 * on the feed's context, in one step, so the replay ends where the live events begin. Live events that arrive during the
 * replay wait behind it.
 *
 * <p>Who reads is checked again for every event ({@code access}: the token may have been revoked, or its grants
 * changed since the subscription began): a token no longer valid ends the stream with an error; an event of a namespace
 * it may no longer read is not given. A subscriber that falls {@value #MAX_WAITING} events behind is ended with an error
 * rather than held in memory.
 */
public final class EventStream implements Publisher<CatalogEvent> {
    static final int MAX_WAITING = 10_000;
    private static final int REPLAY_PAGE = 500;

    private final ChangeFeed feed;
    private final EventFilter filter;
    private final Supplier<Access> access;
    private final Long since;
    private final Runnable beforeEach;

    /**
     * @param access     who reads, asked again for every event; it throws (a {@code CatalogException}) once the reader may not
     * @param beforeEach run before each event is given (to forget what the last event's fields loaded)
     */
    public EventStream(ChangeFeed feed, EventFilter filter, Supplier<Access> access, Long since, Runnable beforeEach) {
        this.feed = feed;
        this.filter = filter;
        this.access = access;
        this.since = since;
        this.beforeEach = beforeEach;
    }

    @Override
    public void subscribe(Subscriber<? super CatalogEvent> subscriber) {
        Delivery d = new Delivery(subscriber);
        subscriber.onSubscribe(d);
        feed.onContext(d::start);
    }

    /** The state of one subscription; touched only on the feed's context. */
    private final class Delivery implements Subscription {
        private final Subscriber<? super CatalogEvent> subscriber;
        private final ArrayDeque<CatalogEvent> waiting = new ArrayDeque<>();
        private final ArrayDeque<CatalogEvent> live = new ArrayDeque<>();
        private long demand;
        private boolean replaying;
        private boolean fetching;
        private long replayedTo;
        private long replayEnd;
        /** Events up to this one were given (or are not wanted): a since: ahead of this node's feed skips them. */
        private long floor;
        private boolean over;
        private Runnable unlisten = () -> {
        };

        Delivery(Subscriber<? super CatalogEvent> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            if (over) {
                return;
            }
            unlisten = feed.listen(this::arrived);
            long position = feed.cursor();
            floor = since == null ? position : since;
            if (since != null && since < position) {
                replaying = true;
                replayedTo = Math.max(0, since);
                replayEnd = position;
                fetch();
            }
        }

        private void fetch() {
            Access a;
            try {
                a = access.get();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            fetching = true;
            feed.page(replayedTo, replayEnd, REPLAY_PAGE, a).onComplete(r -> feed.onContext(() -> {
                fetching = false;
                if (over) {
                    return;
                }
                if (r.failed()) {
                    fail(r.cause());
                    return;
                }
                List<CatalogEvent> page = r.result();
                for (CatalogEvent e : page) {
                    if (filter.matches(e)) {
                        waiting.add(e);
                    }
                }
                replayedTo = page.size() < REPLAY_PAGE ? replayEnd : page.get(page.size() - 1).seq();
                if (replayedTo >= replayEnd) {
                    replaying = false;
                    waiting.addAll(live); // every one of them is after the replay's end
                    live.clear();
                }
                drain();
            }));
        }

        private void arrived(List<CatalogEvent> batch) {
            if (over) {
                return;
            }
            for (CatalogEvent e : batch) {
                if (e.seq() > floor && filter.matches(e)) {
                    (replaying ? live : waiting).add(e);
                }
            }
            if (waiting.size() + live.size() > MAX_WAITING) {
                fail(new IllegalStateException("the subscriber reads more slowly than the catalog writes: " + (waiting.size() + live.size())
                        + " events waited for it; subscribe again with since: the last sequence number it got"));
                return;
            }
            drain();
        }

        private void drain() {
            while (!over && demand > 0 && !waiting.isEmpty()) {
                CatalogEvent e = waiting.poll();
                Access a;
                try {
                    a = access.get();
                } catch (RuntimeException x) {
                    fail(x);
                    return;
                }
                if (!a.canRead(e.namespace())) {
                    continue;
                }
                demand--;
                beforeEach.run();
                subscriber.onNext(e);
            }
            if (!over && replaying && !fetching && waiting.size() < REPLAY_PAGE) {
                fetch();
            }
        }

        private void fail(Throwable e) {
            if (!over) {
                over = true;
                unlisten.run();
                subscriber.onError(e);
            }
        }

        @Override
        public void request(long n) {
            feed.onContext(() -> {
                if (n <= 0) {
                    fail(new IllegalArgumentException("request(" + n + "): the Reactive Streams rule 3.9"));
                    return;
                }
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                drain();
            });
        }

        @Override
        public void cancel() {
            feed.onContext(() -> {
                over = true;
                unlisten.run();
                waiting.clear();
                live.clear();
            });
        }
    }
}
