package io.github.imdsenv.serve;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request threads: one more only when every thread is busy (a plain ThreadPoolExecutor starts a
 * thread per task up to its core size, or never grows past it with an unbounded queue), up to
 * {@code max}; then tasks wait in the queue. Quick answers keep a few threads; clients that send
 * half a request hold one each, until the JDK server's maxReqTime closes them. Idle threads end
 * after 30 s. (Tomcat's TaskQueue does the same.)
 */
final class Pool extends ThreadPoolExecutor {

  private final AtomicInteger submitted = new AtomicInteger();

  Pool(int max) {
    super(1, max, 30, TimeUnit.SECONDS, new Queue(), new Threads(), Pool::force);
    ((Queue) getQueue()).pool = this;
    allowCoreThreadTimeOut(true);
  }

  @Override
  public void execute(Runnable task) {
    submitted.incrementAndGet();
    try {
      super.execute(task);
    } catch (RejectedExecutionException e) {
      submitted.decrementAndGet();
      throw e;
    }
  }

  @Override
  protected void afterExecute(Runnable task, Throwable t) {
    submitted.decrementAndGet();
  }

  /** The pool reached its maximum between the queue's "start a thread" and the start: queued. */
  private static void force(Runnable task, ThreadPoolExecutor pool) {
    if (pool.isShutdown() || !((Queue) pool.getQueue()).enqueue(task)) {
      throw new RejectedExecutionException("the server is stopping");
    }
  }

  private static final class Queue extends LinkedBlockingQueue<Runnable> {
    Pool pool;

    @Override
    public boolean offer(Runnable task) {
      int threads = pool.getPoolSize();
      // an idle thread takes it; at the maximum it waits; else false: the pool starts a thread
      if (pool.submitted.get() <= threads || threads >= pool.getMaximumPoolSize()) {
        return super.offer(task);
      }
      return false;
    }

    boolean enqueue(Runnable task) {
      return super.offer(task);
    }
  }

  private static final class Threads implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "serve-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
