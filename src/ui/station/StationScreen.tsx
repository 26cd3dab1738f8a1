export function StationScreen() {
  const signedIn = location.hash.startsWith('#token=');
  return (
    <main>
      <h1>Station console</h1>
      <p>{signedIn ? 'Sign-in link received.' : 'Open the sign-in link your station administrator gave you.'}</p>
    </main>
  );
}
