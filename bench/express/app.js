// The seed tutorial's express-session app with its typos fixed, as the node peer of
// bench/bench_production.py.
//
//   node app.js [PORT]        (or PORT=... node app.js; 0, the default, picks a free port)
//
// Fixed from the seed: a real `secret` (the seed's `serct` means none, so every request is a 500),
// `resave: false` (the seed's `rescave` leaves it at true), `cookie.maxAge` in milliseconds (the
// seed's 7*24*30 is 5 seconds), `req.session` (not `res.session`), and `app.get` routes (the seed's
// `app.use('/')` answers every path). `saveUninitialized: false`, so only /login creates a session,
// as in the demo server. The store is express-session's default MemoryStore: one process only.
//
// Once listening it prints exactly one line, `Serving on http://127.0.0.1:PORT`, on stdout, the
// same line as `python -m demo_server`; it exits when its stdin closes, so it never outlives the
// benchmark that started it.
'use strict'

const express = require('express')
const session = require('express-session')

const HOST = '127.0.0.1'
const ONE_WEEK_MS = 7 * 24 * 60 * 60 * 1000

const app = express()

app.use(session({
  secret: process.env.SESSION_SECRET || 'keyboard cat, but at least 32 characters long',
  cookie: { maxAge: ONE_WEEK_MS },
  resave: false,
  saveUninitialized: false
}))

app.get('/login', (req, res) => {
  req.session.userinfo = '张三'
  res.send('登入成功')
})

app.get('/', (req, res) => {
  // The demo server's greeting: the seed's 'hello'+user+'welcome', with the spaces it left out.
  if (req.session.userinfo === '张三') {
    res.send('hello ' + req.session.userinfo + ' welcome')
  } else {
    res.send('未登入')
  }
})

app.get('/loginOut', (req, res, next) => {
  req.session.destroy((err) => {
    if (err) return next(err)
    res.send('退出登入')
  })
})

const port = Number(process.argv[2] || process.env.PORT || 0)
const server = app.listen(port, HOST, () => {
  console.log(`Serving on http://${HOST}:${server.address().port}`)
})

// Tie our life to the parent's: when it closes our stdin (or dies), stop.
process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()
