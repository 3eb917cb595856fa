import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeWithBinary } from './binaries.js';
import { RedisTestServer } from './redis-server.js';

function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(command));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describeWithBinary('redis-server', 'RedisTestServer', () => {
  let redis: RedisTestServer;
  beforeAll(async () => {
    redis = await RedisTestServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('starts a real server on a free port that keeps data', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await send(redis.port, 'SET k v\r\n')).toBe('+OK\r\n');
    expect(await send(redis.port, 'GET k\r\n')).toBe('$1\r\nv\r\n');
  });

  it('can be paused (SIGSTOP), answering nothing, and resumed (SIGCONT), answering what it was sent', async () => {
    redis.pause();
    try {
      const answer = send(redis.port, 'PING\r\n');
      const early = await Promise.race([answer, sleep(300).then(() => 'no answer')]);
      expect(early).toBe('no answer');
      redis.resume();
      expect(await answer).toBe('+PONG\r\n');
    } finally {
      redis.resume();
    }
  });

  it('can be killed and restarted on the same port, losing its data', async () => {
    await redis.kill();
    expect(redis.running).toBe(false);
    await expect(send(redis.port, 'PING\r\n')).rejects.toThrow();
    await redis.start();
    expect(await send(redis.port, 'GET k\r\n')).toBe('$-1\r\n');
  });
});
