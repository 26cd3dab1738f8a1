/**
 * The signaling relay the seed guide proposed ("Step 1: Set Up Signaling
 * Server (Node.js + Socket.io)"), kept as written: express + http + a
 * Socket.io server with default options (plus the guide's CORS setting), a
 * `join` that broadcasts the whole user list to everyone, and offer / answer /
 * ice-candidate / end-call relayed by `to` (a socket id). Only the port is
 * configurable and the console logging is gone.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';

interface User {
  id: string;
  name: unknown;
  role: unknown;
  location: unknown;
}

interface Relayed {
  to: string;
  offer?: unknown;
  answer?: unknown;
  candidate?: unknown;
}

export async function startSeedRelay(port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const app = express();
  const server = http.createServer(app);
  const io = new Server(server, {
    cors: { origin: '*' },
  });

  const peers = new Map<string, User>();

  io.on('connection', (socket) => {
    // User joins the system
    socket.on('join', (userData: { name?: unknown; role?: unknown; location?: unknown }) => {
      peers.set(socket.id, {
        id: socket.id,
        name: userData.name,
        role: userData.role, // dispatcher, officer, mobile
        location: userData.location,
      });

      // Broadcast user list
      io.emit('users-updated', Array.from(peers.values()));
    });

    // WebRTC Offer
    socket.on('offer', (data: Relayed) => {
      io.to(data.to).emit('offer', {
        from: socket.id,
        offer: data.offer,
        caller: peers.get(socket.id),
      });
    });

    // WebRTC Answer
    socket.on('answer', (data: Relayed) => {
      io.to(data.to).emit('answer', {
        from: socket.id,
        answer: data.answer,
      });
    });

    // ICE Candidates
    socket.on('ice-candidate', (data: Relayed) => {
      io.to(data.to).emit('ice-candidate', {
        from: socket.id,
        candidate: data.candidate,
      });
    });

    // End Call
    socket.on('end-call', (data: Relayed) => {
      io.to(data.to).emit('call-ended');
    });

    socket.on('disconnect', () => {
      peers.delete(socket.id);
      io.emit('users-updated', Array.from(peers.values()));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        void io.close(() => resolve());
      }),
  };
}
