// The smallest valid config the config tests build on (both files append or change sections of it).
export const validConfigYaml = `
campaign: { name: demo }
endpoints:
  local: { baseURL: "http://127.0.0.1:8000/v1" }
roles:
  generator: { endpoint: local, model: g }
  solver:
    endpoint: local
    model: s
    regimes:
      - { name: cold, kind: temperature, tag: strong, temperature: 0.2 }
      - { name: hot, kind: temperature, tag: weak, temperature: 1.5 }
  judge: { endpoint: local, model: j }
`;
